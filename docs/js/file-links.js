// Opened from disk (file://, as the links of a saved photodose report open it), a link to a
// folder ("../glossary/") shows the folder's file listing instead of its page: the site is built
// with directory URLs (mkdocs-gallery needs them). Point such links at the folder's index.html.
// Served over http(s) (`photodose serve`, `make docs-serve`) nothing changes.
(function () {
  "use strict";
  if (window.location.protocol !== "file:") {
    return;
  }
  function toIndex(a) {
    var href = a.getAttribute("href");
    if (!href || href.charAt(0) === "#" || /^[a-z][a-z0-9+.-]*:/i.test(href) || href.indexOf("?") >= 0) {
      return;
    }
    var hash = "";
    var at = href.indexOf("#");
    if (at >= 0) {
      hash = href.slice(at);
      href = href.slice(0, at);
    }
    if (href === "." || href === "..") {
      href += "/";
    }
    if (href.slice(-1) === "/") {
      a.setAttribute("href", href + "index.html" + hash);
    }
  }
  Array.prototype.forEach.call(document.querySelectorAll("a[href]"), toIndex);
})();
