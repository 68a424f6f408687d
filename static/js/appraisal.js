/*
 * The appraisal page (templates/appraisals/appraisal_detail.html): where the keyboard goes
 * after htmx brings a card or a panel in. Everything works without it; it only saves a
 * keyboard or screen-reader user the trip back to where they were.
 *
 *   [data-apx-focus]         takes the focus once it arrives (a saved card's button, or the
 *                            message of a refused save), then loses the attribute
 *   [data-apx-confirm]       a clarification request shown for confirmation: its
 *                            details.confirm (components/confirm.html) opens by itself
 */
(function () {
  'use strict';

  function settle() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-apx-confirm] details.confirm'), function (box) {
      if (box.hasAttribute('data-apx-opened')) return;
      box.setAttribute('data-apx-opened', '');
      box.open = true;
      var summary = box.querySelector('summary');
      if (summary) summary.focus();
    });
    var target = document.querySelector('[data-apx-focus]');
    if (target) {
      target.removeAttribute('data-apx-focus');
      target.focus();
    }
  }

  document.addEventListener('htmx:afterSettle', settle);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', settle);
  else settle();
})();
