/*
 * The self-assessment page (templates/assessments/assessment_detail.html): what htmx does not.
 * No inline script or handler anywhere (Content-Security-Policy); everything is delegated.
 *
 * - A link to a row that is not on the page (a redirect to "#leaf-3.6" while field I is shown,
 *   say after "Dùng số liệu này") opens the page at that row: "?tieu-chi=3.6#leaf-3.6".
 * - When a row is closed with htmx, focus goes back to the row's name (its toggle), so a
 *   keyboard user is not sent back to the top of the page.
 */
(function () {
  'use strict';

  function workspace() {
    return document.querySelector('[data-workspace]');
  }

  function openMissingRow() {
    var hash = window.location.hash;
    if (hash.indexOf('#leaf-') !== 0) return;
    var code = decodeURIComponent(hash.slice('#leaf-'.length));
    var ws = workspace();
    if (!ws || !code || document.getElementById('leaf-' + code)) return;
    var params = new URLSearchParams(window.location.search);
    if (params.get('tieu-chi') === code) return; // asked already: the code is not on this page at all
    var next = new URLSearchParams();
    next.set('tieu-chi', code);
    if (params.get('chua-du')) next.set('chua-du', params.get('chua-du'));
    window.location.replace(ws.getAttribute('data-workspace') + '?' + next.toString() + hash);
  }

  document.addEventListener('htmx:afterSwap', function (event) {
    var target = event.detail && event.detail.target;
    if (!(target instanceof Element)) return;
    var active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) return;
    // The swapped row is a new element: find it again by id.
    var row = target.id ? document.getElementById(target.id) : null;
    if (row && row.matches('tr.leaf')) {
      var toggle = row.querySelector('.ws-toggle');
      if (toggle) toggle.focus({ preventScroll: true });
    }
  });

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', openMissingRow);
  } else {
    openMissingRow();
  }
})();
