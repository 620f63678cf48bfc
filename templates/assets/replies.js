/* castnotes: the public replies of an episode's fediverse thread, loaded when asked for.
 *
 * Progressive: the page already links to the thread and works without this script. It
 * adds a button to each [data-replies] box; only a click asks the thread's server
 * (Mastodon's public API, GET /api/v1/statuses/:id/context), so reading a page never
 * contacts another server by itself. Replies are shown as text, never as HTML.
 * The words come from the page's data-* attributes, so they follow its language.
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

  function safeLink(href) {
    try {
      var url = new URL(href);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function setUp(box) {
    var thread;
    try { thread = new URL(box.getAttribute("data-replies")); } catch (e) { return; }
    var id = (thread.pathname.match(/\/(\d+)\/?$/) || [])[1];  // /@user/123 or /users/u/statuses/123
    if (!id) return;
    var api = thread.origin + "/api/v1/statuses/" + id + "/context";
    var status = box.querySelector(".replies__status");
    var list = box.querySelector(".replies__list");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--ghost replies__load";
    button.textContent = box.getAttribute("data-show").replace("{host}", thread.host);
    box.insertBefore(button, status);
    box.hidden = false;

    function show(replies) {
      button.remove();
      var count = replies.length;
      status.textContent = count === 0 ? box.getAttribute("data-none")
        : count === 1 ? box.getAttribute("data-one") : box.getAttribute("data-many").replace("{count}", count);
      replies.slice(0, MAX_REPLIES).forEach(function (reply) {
        var item = document.createElement("li");
        item.className = "reply";
        var head = document.createElement("p");
        head.className = "reply__head";
        var author = document.createElement("a");
        author.className = "reply__author";
        author.rel = "nofollow noopener";
        author.textContent = (reply.account && (reply.account.display_name || reply.account.acct)) || "?";
        var authorHref = reply.account && safeLink(reply.account.url);
        if (authorHref) author.href = authorHref;
        head.appendChild(author);
        var postHref = safeLink(reply.url);
        if (postHref && reply.created_at) {
          var when = document.createElement("a");
          when.className = "reply__when";
          when.href = postHref;
          when.rel = "nofollow noopener";
          var time = document.createElement("time");
          time.dateTime = reply.created_at;
          time.textContent = new Date(reply.created_at).toLocaleDateString(document.documentElement.lang || undefined,
            { year: "numeric", month: "short", day: "numeric" });
          when.appendChild(time);
          head.appendChild(document.createTextNode(" · "));
          head.appendChild(when);
        }
        var body = document.createElement("p");
        body.className = "reply__text";
        body.textContent = plainText(reply.content || "");
        item.appendChild(head);
        item.appendChild(body);
        list.appendChild(item);
      });
    }

    button.addEventListener("click", function () {
      button.disabled = true;
      status.textContent = box.getAttribute("data-loading");
      fetch(api, { headers: { Accept: "application/json" }, credentials: "omit", referrerPolicy: "no-referrer" })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (context) {
          show(Array.isArray(context.descendants) ? context.descendants : []);
        })
        .catch(function () {
          status.textContent = box.getAttribute("data-failed");
          button.disabled = false;
        });
    });
  }

  document.querySelectorAll("[data-replies]").forEach(setUp);
})();
