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

  // Member, "Still in touch?": no rating to give for someone no longer in touch.
  // Member, questions about you: skip logic (the server applies the same rule on submit).
  document.addEventListener("change", function (event) {
    var input = event.target;
    var card = input.closest && input.closest(".still-card");
    if (card && input.name.indexOf("still-") === 0) {
      card.classList.toggle("is-dropped", input.value === "drop" && input.checked);
    }
    var form = input.form;
    if (!form) return;
    form.querySelectorAll("[data-show-if]").forEach(function (question) {
      var key = question.getAttribute("data-show-if");
      if (!key) return;
      var wanted = question.getAttribute("data-show-value");
      var given = Array.prototype.some.call(
        form.querySelectorAll('[name="m-' + key + '"]'),
        function (field) {
          var chosen = field.type === "radio" || field.type === "checkbox" ? field.checked : true;
          return chosen && field.value === wanted;
        }
      );
      question.hidden = !given;
    });
  });
  document.querySelectorAll('.still-card input[value="drop"]:checked').forEach(function (input) {
    input.closest(".still-card").classList.add("is-dropped");
  });
})();
