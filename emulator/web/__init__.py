"""Static files of the browser sandbox page (index.html, sandbox.css, sandbox.js).

A package so setuptools' package-data (``*.html``, ``*.css``, ``*.js``) installs them and
``importlib.resources.files("emulator.web")`` finds them; no build step, no CDN.
"""
