/* Staff console behaviour: a few keyboard and form helpers for people on the phone.
   No framework; htmx does the partial page updates. */
(function () {
  "use strict";

  // Ctrl+Enter (⌘+Enter) submits the form the cursor is in.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey)) return;
    var form = e.target && e.target.closest && e.target.closest("form");
    if (!form || form.hasAttribute("data-no-shortcut")) return;
    e.preventDefault();
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });

  // A select that submits its form when changed (the language switcher).
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.matches && el.matches("select[data-autosubmit]")) el.form.submit();
  });

  // The knowledge suggestion request sends the typed appeal content as ?q=…
  document.addEventListener("htmx:configRequest", function (e) {
    var el = e.detail.elt;
    if (el && el.hasAttribute && el.hasAttribute("data-kb-suggest")) {
      var params = e.detail.parameters;
      params.q = (el.value || "").slice(0, 200);
      delete params[el.name];
    }
  });

  // Using a suggested knowledge entry: choose "answer at once", fill in the text, keep the id.
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-use-answer]");
    if (!button) return;
    var form = document.getElementById("intake-form") || document.querySelector("form[data-answer-form]");
    if (!form) return;
    var radio = form.querySelector('input[name="action"][value="answer"]');
    if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
    var answer = form.querySelector('textarea[name="answer"]');
    if (answer) {
      answer.value = button.getAttribute("data-answer-text") || "";
      answer.focus();
    }
    var ids = form.querySelector('input[name="knowledge_entries"]');
    if (ids) {
      var list = ids.value ? ids.value.split(",") : [];
      var id = button.getAttribute("data-use-answer");
      if (list.indexOf(id) < 0) list.push(id);
      ids.value = list.join(",");
    }
    var used = form.querySelector("[data-kb-used]");
    if (used) used.textContent = button.getAttribute("data-entry-title") || "";
  });

  // A live region (aria-live) says it is loading while htmx fetches its new content, so a screen
  // reader waits and announces the result once instead of reading half-swapped content.
  function liveTarget(e) {
    var el = e.detail && e.detail.target;
    return el && el.getAttribute && el.hasAttribute("aria-live") ? el : null;
  }
  document.addEventListener("htmx:beforeRequest", function (e) {
    var el = liveTarget(e);
    if (el) el.setAttribute("aria-busy", "true");
  });
  ["htmx:afterSettle", "htmx:responseError", "htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function (e) {
      var el = liveTarget(e);
      if (el) el.removeAttribute("aria-busy");
    });
  });

  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-print]")) window.print();
  });

  // Not accepted: show the guidance for the chosen Art 11 reason (and the emergency line).
  function showGuidance(select) {
    var scope = select.closest("form") || document;
    scope.querySelectorAll("[data-guidance-for]").forEach(function (box) {
      box.hidden = box.getAttribute("data-guidance-for") !== select.value;
    });
    scope.querySelectorAll("[data-emergency-only]").forEach(function (box) {
      box.hidden = select.value !== "emergency";
    });
    scope.querySelectorAll("[data-repeat-only]").forEach(function (box) {
      box.hidden = select.value !== "repeat_after_closure";
    });
  }
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("select[data-reject-reason]")) showGuidance(e.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-reject-reason]").forEach(showGuidance);
  });
})();
