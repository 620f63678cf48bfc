"""Apple Podcasts' category list (feed-rules.md §2): 19 parents, 91 subcategories.

Apple matches category text exactly, so a typo here means a show filed nowhere.
"""

from __future__ import annotations

APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies",
        "Home & Garden", "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News", "Daily News", "Entertainment News", "News Commentary", "Politics",
        "Sports News", "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion", "Spirituality",
    ),
    "Science": (
        "Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics",
        "Natural Sciences", "Nature", "Physics", "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships",
    ),
    "Sports": (
        "Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf", "Hockey",
        "Rugby", "Running", "Soccer", "Swimming", "Tennis", "Volleyball", "Wilderness", "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}

# Apple's 2019 revision renamed, moved or merged these; old feeds still name them. Each maps
# to the category Apple files such shows under now (a parent alone maps its subcategories too).
RENAMED_2019: dict[str, str] = {
    "Arts/Literature": "Arts/Books",
    "Business/Business News": "News/Business News",
    "Business/Management & Marketing": "Business/Management",
    "Business/Shopping": "Leisure",
    "Education/Educational Technology": "Education/Courses",
    "Education/Higher Education": "Education",
    "Education/K-12": "Education",
    "Education/Language Courses": "Education/Language Learning",
    "Education/Training": "Education/How To",
    "Games & Hobbies": "Leisure",
    "Games & Hobbies/Automotive": "Leisure/Automotive",
    "Games & Hobbies/Aviation": "Leisure/Aviation",
    "Games & Hobbies/Hobbies": "Leisure/Hobbies",
    "Games & Hobbies/Other Games": "Leisure/Games",
    "Games & Hobbies/Video Games": "Leisure/Video Games",
    "Government & Organizations": "Government",
    "Health": "Health & Fitness",
    "Health/Alternative Health": "Health & Fitness/Alternative Health",
    "Health/Fitness & Nutrition": "Health & Fitness/Fitness",
    "Health/Self-Help": "Education/Self-Improvement",
    "Health/Sexuality": "Health & Fitness/Sexuality",
    "News & Politics": "News/Politics",
    "Religion & Spirituality/Other": "Religion & Spirituality/Spirituality",
    "Science & Medicine": "Science",
    "Science & Medicine/Medicine": "Health & Fitness/Medicine",
    "Science & Medicine/Natural Sciences": "Science/Natural Sciences",
    "Science & Medicine/Social Sciences": "Science/Social Sciences",
    "Society & Culture/History": "History",
    "Sports & Recreation": "Sports",
    "Sports & Recreation/Outdoor": "Sports/Wilderness",
    "Technology/Gadgets": "Technology",
    "Technology/Podcasting": "Technology",
    "Technology/Software How-To": "Technology",
    "Technology/Tech News": "News/Tech News",
}


def renamed_category(text: str) -> str | None:
    """The category Apple's 2019 list has for an old name (`Games & Hobbies/Video Games` ->
    `Leisure/Video Games`), or None when the name was never on Apple's old list."""
    parent, _, sub = (part.strip() for part in text.partition("/"))
    full = f"{parent}/{sub}" if sub else parent
    return RENAMED_2019.get(full) or (RENAMED_2019.get(parent) if parse_category(parent) is None else None)


ALL_CATEGORY_PATHS: tuple[str, ...] = tuple(APPLE_CATEGORIES) + tuple(
    f"{parent}/{sub}" for parent, subs in APPLE_CATEGORIES.items() for sub in subs)


def parse_category(text: str) -> tuple[str, str | None] | None:
    """`"Health & Fitness/Mental Health"` -> (parent, sub); None when not on Apple's list."""
    parent, _, sub = (part.strip() for part in text.partition("/"))
    if parent not in APPLE_CATEGORIES or sub and sub not in APPLE_CATEGORIES[parent]:
        return None
    return parent, (sub or None)
