/* castnotes search page: Pagefind's index (built by `castnotes build` into pagefind/, in shards),
   loaded only when someone searches, and only the index fragments their words need. */
(function () {
  "use strict";
  var page = document.querySelector("[data-search]");
  if (!page) return;
  var form = page.querySelector("form"), input = form.querySelector("input");
  var status = page.querySelector("[data-search-status]"), list = page.querySelector("[data-search-results]");
  var base = new URL(page.getAttribute("data-root") || "./", location.href);
  var engine = null, timer = null, latest = 0;
  /* the words the script shows come from the page, in its language */
  var words = page.dataset, lang = document.documentElement.lang || undefined;

  /* The index comes in shards (castnotes' output/search.py): the first bundle in pagefind/, the
     others listed in pagefind/shards.json and merged into it, so a query searches them all and
     their results are ranked together. */
  function load() {
    if (!engine) {
      var bundle = new URL("pagefind/", base);
      var listed = fetch(new URL("shards.json", bundle).href, { cache: "no-cache" }).then(function (response) {
        return response.ok ? response.json() : { shards: [] };
      });
      engine = Promise.all([import(new URL("pagefind.js", bundle).href), listed]).then(function (both) {
        var pagefind = both[0], others = (both[1].shards || []).filter(function (shard) { return shard.path; });
        return pagefind.options({ baseUrl: base.pathname }).then(function () {
          return Promise.all(others.map(function (shard) {
            return pagefind.mergeIndex(new URL(shard.path, bundle).pathname, { baseUrl: base.pathname });
          }));
        }).then(function () { return pagefind; });
      });
    }
    return engine;
  }

  function item(data) {
    var li = document.createElement("li"), link = document.createElement("a"), text = document.createElement("p");
    li.className = "result";
    link.className = "result__title";
    link.href = data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    text.className = "result__excerpt";
    /* Pagefind's excerpt: page text, escaped, with <mark> */
    text.innerHTML = data.excerpt;
    var heading = document.createElement("h2");
    heading.append(link);
    li.append(heading, text);
    return li;
  }

  function run(query) {
    var ticket = ++latest;
    query = query.trim();
    if (history.replaceState) history.replaceState(null, "", query ? "?q=" + encodeURIComponent(query) : "./");
    if (!query) { list.replaceChildren(); status.textContent = ""; return; }
    status.textContent = words.searching;
    load().then(function (pagefind) { return pagefind.search(query); }).then(function (found) {
      if (ticket !== latest) return null;
      return Promise.all(found.results.slice(0, 20).map(function (r) { return r.data(); })).then(function (pages) {
        if (ticket !== latest) return;
        list.replaceChildren.apply(list, pages.map(item));
        var count = found.results.length;
        var text = (count === 1 ? words.foundOne : words.foundMany).replace("{count}", count.toLocaleString(lang))
          .replace("{query}", query);
        status.textContent = !count ? words.nothing.replace("{query}", query)
          : count > 20 ? words.best.replace("{found}", text) : text + ".";
      });
    }).catch(function () {
      status.textContent = words.failed;
    });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); run(input.value); });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { run(input.value); }, 250);
  });
  var query = new URLSearchParams(location.search).get("q");
  if (query) { input.value = query; run(query); }
})();
