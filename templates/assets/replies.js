/* castnotes: the public replies of an episode's fediverse thread, shown on its page.
 *
 * Loaded only when the reader presses "Show the replies" (a few lines in partials/replies.html
 * add that button), so reading a page never contacts another server by itself. It asks the
 * thread's server with Mastodon's public API (GET /api/v1/statuses/:id/context) and shows
 * the replies as text, never as HTML. The words come from the page's data-* attributes, so
 * they follow its language. Without script the page links to the thread instead.
 */
(function () {
  "use strict";
  var MAX_REPLIES = 60;

  function plainText(html) {
    // DOMParser runs no script and loads nothing; only the text is kept
    var doc = new DOMParser().parseFromString(String(html).replace(/<br\s*\/?>|<\/p>\s*<p>/gi, "\n"), "text/html");
    doc.querySelectorAll("script, style, template").forEach(function (node) { node.remove(); });
    return (doc.body.textContent || "").trim();
  }

  function webLink(href) {
    try {
      var url = new URL(href);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function link(className, href, text) {
    var a = document.createElement("a");
    a.className = className;
    a.rel = "nofollow noopener";
    if (webLink(href)) a.href = webLink(href);
    a.textContent = text;
    return a;
  }

  function reply(status) {
    var item = document.createElement("li");
    item.className = "reply";
    var head = document.createElement("p");
    var account = status.account || {};
    var author = document.createElement("strong");
    author.appendChild(link("reply__author", account.url, account.display_name || account.acct || "?"));
    head.appendChild(author);
    if (status.created_at && webLink(status.url)) {
      var when = link("reply__when muted", status.url, "");
      var time = document.createElement("time");
      time.dateTime = status.created_at;
      time.textContent = new Date(status.created_at).toLocaleDateString(document.documentElement.lang || undefined,
        { year: "numeric", month: "short", day: "numeric" });
      when.appendChild(time);
      head.appendChild(document.createTextNode(" · "));
      head.appendChild(when);
    }
    var body = document.createElement("p");
    body.className = "reply__text";
    body.textContent = plainText(status.content || "");
    item.appendChild(head);
    item.appendChild(body);
    return item;
  }

  function load(box) {
    var thread;
    try { thread = new URL(box.getAttribute("data-replies")); } catch (e) { return; }
    var id = (thread.pathname.match(/\/(\d+)\/?$/) || [])[1];  // /@user/123 or /users/u/statuses/123
    var button = box.querySelector("[data-replies-load]");
    var status = box.querySelector("[role=status]");
    var list = box.querySelector(".replies__list");
    if (!id || box.getAttribute("data-state") === "loading") return;
    box.setAttribute("data-state", "loading");
    button.disabled = true;
    status.textContent = box.getAttribute("data-loading");
    fetch(thread.origin + "/api/v1/statuses/" + id + "/context",
          { headers: { Accept: "application/json" }, credentials: "omit", referrerPolicy: "no-referrer" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (context) {
        var replies = Array.isArray(context.descendants) ? context.descendants : [];
        button.remove();
        status.textContent = replies.length === 0 ? box.getAttribute("data-none")
          : replies.length === 1 ? box.getAttribute("data-one")
          : box.getAttribute("data-many").replace("{count}", replies.length);
        replies.slice(0, MAX_REPLIES).forEach(function (s) { list.appendChild(reply(s)); });
        box.setAttribute("data-state", "done");
      })
      .catch(function () {
        status.textContent = box.getAttribute("data-failed");
        box.setAttribute("data-state", "failed");
        button.disabled = false;  // a second press tries again
      });
  }

  document.querySelectorAll("[data-replies]").forEach(function (box) {
    var button = box.querySelector("[data-replies-load]");
    if (button) button.addEventListener("click", function () { load(box); });
    load(box);  // this script is loaded by the first press
  });
})();
