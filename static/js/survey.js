// Survey pages: small conveniences on top of server-rendered forms (htmx does the requests).
(function () {
  "use strict";

  // Staff: copy a member's personal link.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var input = button.parentElement.querySelector("input");
    var done = function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy link"; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done);
    } else {
      // Plain http (e.g. a laptop on the local network): select and copy the old way.
      input.select();
      document.execCommand("copy");
      done();
    }
  });

  // Member: clear the "not on the list" form once the person is added.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (event.detail.successful && form.matches && form.matches("form[data-reset-after]")) {
      form.reset();
    }
  });
})();
