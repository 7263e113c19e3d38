// Starts GOV.UK Frontend. Loaded as a file, not written inline, so the Content Security Policy can allow scripts
// from this site only (script-src 'self'). Runs at the top of <body>, before the page is drawn, so the
// js-enabled styles apply from the first paint.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
if ('noModule' in HTMLScriptElement.prototype) {
  // Resolved against this file's address: /static/govuk/govuk-frontend.min.js.
  import('../govuk/govuk-frontend.min.js').then(function (govuk) {
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', function () { govuk.initAll(); });
    } else {
      govuk.initAll();
    }
  });
}
