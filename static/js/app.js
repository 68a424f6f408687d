/*
 * parindex: the few behaviours the pages declare with data-* attributes, so that no template
 * needs an inline script, an inline event handler or a style="" attribute (the
 * Content-Security-Policy allows neither; see "Security headers" in README.md).
 *
 *   <select data-autosubmit>           submits its form when changed (keep a submit button,
 *                                      in <noscript> if need be, for browsers without script)
 *   <input type=checkbox data-check-all="NAME">
 *                                      checks or clears every checkbox named NAME of its form
 *   <span data-width="42.5">           width: 42.5% (a bar's share), set through the CSSOM
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

  function sizeAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    Array.prototype.forEach.call(scope.querySelectorAll('[data-width]'), function (el) {
      var share = parseFloat(el.getAttribute('data-width'));
      if (!isNaN(share)) el.style.width = Math.max(0, Math.min(100, share)) + '%';
    });
  }

  document.addEventListener('htmx:afterSettle', function () { sizeAll(document); });
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () { sizeAll(document); });
  } else {
    sizeAll(document);
  }
})();
