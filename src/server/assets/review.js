// review.js - the keyboard on /evals/{id}/review (web_evals_review.c):
// 1, 2, 3 press the label buttons of #review-form (each carries data-key),
// n and p follow #review-next and #review-prev, o opens or folds the
// prompt and answer (#review-texts).  Keys are matched by their physical
// position too (KeyN, Digit1), so that they work under Arabic, Russian or
// Chinese layouts; nothing happens while a field has the focus or with a
// modifier held.  Without script the buttons and links do the same.
(function () {
  'use strict';
  var form = document.getElementById('review-form');
  var byCode = { Digit1: '1', Digit2: '2', Digit3: '3', Numpad1: '1',
                 Numpad2: '2', Numpad3: '3', KeyN: 'n', KeyP: 'p', KeyO: 'o' };

  function typing(t) {
    return t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' ||
                 t.tagName === 'SELECT' || t.isContentEditable);
  }

  document.addEventListener('keydown', function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.isComposing ||
        typing(ev.target))
      return;
    var k = byCode[ev.code] || ev.key;
    var target = null;
    if (k === '1' || k === '2' || k === '3')
      target = form && form.querySelector('button[data-key="' + k + '"]');
    else if (k === 'n')
      target = document.getElementById('review-next');
    else if (k === 'p')
      target = document.getElementById('review-prev');
    else if (k === 'o') {
      var d = document.getElementById('review-texts');
      if (d) {
        ev.preventDefault();
        d.open = !d.open;
      }
      return;
    }
    if (target) {
      ev.preventDefault();
      target.click();
    }
  });
})();
