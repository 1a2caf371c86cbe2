// GOV.UK Frontend's js-enabled class, set before the page is drawn. A file rather than an
// inline script, so that the Content-Security-Policy can forbid inline scripts.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
