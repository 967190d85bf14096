// form.js - the incident form: move focus to the first field the registry
// refused (the server put the message next to it), and keep an unsent
// form's text in this browser's sessionStorage so that a lost connection
// or an expired session does not lose a long description.
(function () {
  'use strict';
  var form = document.getElementById('incident-form');
  if (!form) return;
  var bad = form.querySelector('[aria-invalid="true"]');
  var summary = document.getElementById('form-errors');
  if (bad) bad.focus();
  else if (summary) summary.focus();

  var key = 'osafe-form:' + (form.getAttribute('data-id') || 'new');
  var store = null;
  try { store = window.sessionStorage; } catch (e) { store = null; }
  if (!store) return;
  var fields = form.querySelectorAll('input[type=text], input:not([type]), ' +
                                     'input[type=url], textarea');
  // Restore only into empty fields: what the server sent always wins.
  try {
    var saved = JSON.parse(store.getItem(key) || '{}');
    Array.prototype.forEach.call(fields, function (f) {
      if (!f.value && typeof saved[f.name] === 'string') f.value = saved[f.name];
    });
  } catch (e) { /* a corrupt entry is ignored */ }
  form.addEventListener('input', function () {
    var o = {};
    Array.prototype.forEach.call(fields, function (f) { o[f.name] = f.value; });
    try { store.setItem(key, JSON.stringify(o)); } catch (e) { /* full */ }
  });
  form.addEventListener('submit', function () { store.removeItem(key); });
})();
