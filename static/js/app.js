/*
 * parindex: the few behaviours the pages declare with data-* attributes, so that no template
 * needs an inline script, an inline event handler or a style="" attribute (the
 * Content-Security-Policy allows neither; see "Security headers" in README.md).
 *
 *   <select data-autosubmit>           submits its form when changed (keep a submit button,
 *                                      in <noscript> if need be, for browsers without script)
 *   <input type=checkbox data-check-all="NAME">
 *                                      checks or clears every checkbox named NAME of its form
 *   <input type=checkbox data-disables="NAME">
 *                                      while checked, disables every control named NAME of its
 *                                      form (disabled controls are not posted)
 *   <span data-width="42.5">           width: 42.5% (a bar's share), set through the CSSOM
 *   <form data-focus-invalid>          on load, puts the cursor in its first field marked
 *                                      aria-invalid (a form refused by the server)
 *   .table-wrap, .chart-scroll      when wider than the screen, become keyboard-scrollable
 *                                      regions (tabindex, role, a Vietnamese name): WCAG 2.1.1
 *   <button data-menu-toggle aria-controls="ID" aria-expanded="false">
 *                                      opens and closes the menu ID on a narrow screen (the CSS
 *                                      shows it when aria-expanded is "true"); Escape closes it
 *
 * Events are delegated to the document and widths are set again after every htmx swap, so
 * content htmx brings in behaves like the page it lands in.
 */
(function () {
  'use strict';

  document.addEventListener('change', function (event) {
    var el = event.target;
    if (!(el instanceof Element)) return;
    if (el.matches('[data-autosubmit]') && el.form) {
      // requestSubmit fires "submit" (htmx listens to it); old browsers only have submit().
      if (typeof el.form.requestSubmit === 'function') el.form.requestSubmit();
      else el.form.submit();
    }
    if (el.matches('input[type=checkbox][data-check-all]')) {
      var scope = el.form || document;
      var name = el.getAttribute('data-check-all');
      Array.prototype.forEach.call(scope.querySelectorAll('input[type=checkbox]'), function (box) {
        if (box.name === name && !box.disabled) box.checked = el.checked;
      });
    }
  });

  function applyDisables(box) {
    var scope = box.form || document;
    var name = box.getAttribute('data-disables');
    Array.prototype.forEach.call(scope.querySelectorAll('input, select, textarea'), function (el) {
      if (el.name === name && el !== box) el.disabled = box.checked;
    });
  }

  document.addEventListener('change', function (event) {
    var el = event.target;
    if (el instanceof Element && el.matches('input[type=checkbox][data-disables]')) applyDisables(el);
  });

  document.addEventListener('click', function (event) {
    var button = event.target instanceof Element ? event.target.closest('[data-menu-toggle]') : null;
    if (!button) return;
    button.setAttribute('aria-expanded', button.getAttribute('aria-expanded') === 'true' ? 'false' : 'true');
  });

  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Escape') return;
    var button = document.querySelector('[data-menu-toggle][aria-expanded="true"]');
    if (button) {
      button.setAttribute('aria-expanded', 'false');
      button.focus();
    }
  });

  function sizeAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    Array.prototype.forEach.call(scope.querySelectorAll('[data-width]'), function (el) {
      var share = parseFloat(el.getAttribute('data-width'));
      if (!isNaN(share)) el.style.width = Math.max(0, Math.min(100, share)) + '%';
    });
  }

  function scrollables() {
    Array.prototype.forEach.call(document.querySelectorAll('.table-wrap, .chart-scroll'), function (el) {
      if (el.scrollWidth <= el.clientWidth + 1) return;
      if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '0');
      if (!el.hasAttribute('role')) el.setAttribute('role', 'region');
      if (!el.hasAttribute('aria-label') && !el.hasAttribute('aria-labelledby')) {
        var title = el.querySelector('caption') || (el.closest('section, figure') || el).querySelector('h2, h3, figcaption');
        var name = title ? title.textContent.replace(/\s+/g, ' ').trim() : 'Bảng';
        el.setAttribute('aria-label', name + ' (cuộn ngang để xem hết)');
      }
    });
  }

  window.addEventListener('load', scrollables);  // after charts.js has sized its charts
  var resizing = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizing);
    resizing = setTimeout(scrollables, 200);
  });

  function setUp(root) {
    sizeAll(root);
    scrollables();
    Array.prototype.forEach.call(document.querySelectorAll('input[type=checkbox][data-disables]'), applyDisables);
  }

  function focusInvalid() {
    var field = document.querySelector('form[data-focus-invalid] [aria-invalid="true"]');
    if (field && typeof field.focus === 'function') field.focus();
  }

  document.addEventListener('htmx:afterSettle', function () { setUp(document); });
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () { setUp(document); focusInvalid(); });
  } else {
    setUp(document);
    focusInvalid();
  }
})();
