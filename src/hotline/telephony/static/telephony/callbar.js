// Screen pop (issue 17): when the call bar shows a ringing or connected call, fill the
// intake form's phone field (its htmx trigger then loads the caller-history panel) and add
// the call id, so the saved ticket is linked to its call.
(function () {
  "use strict";
  var popped = null;
  function pop() {
    var call = document.querySelector("#call-bar [data-screen-pop]");
    var form = document.getElementById("intake-form");
    if (!call || !form) { return; }
    var id = call.getAttribute("data-call-id");
    if (popped === id) { return; }
    popped = id;
    var phone = form.querySelector("[name=citizen_phone]");
    var number = call.getAttribute("data-phone");
    if (phone && number && phone.value !== number) {
      phone.value = number;
      phone.dispatchEvent(new Event("input", { bubbles: true }));
      phone.dispatchEvent(new Event("change", { bubbles: true }));
    }
    var hidden = form.querySelector("input[name=call_id]");
    if (!hidden) {
      hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "call_id";
      form.appendChild(hidden);
    }
    hidden.value = id;
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "call-bar") { pop(); }
  });
})();
