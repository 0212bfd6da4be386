// The console's only script: the reply form's live SMS segment counter and template picker, and the
// live emergency banner. Everything works without it; it only saves a reload.
(function () {
  "use strict";

  // GSM 03.38 basic and extension characters; anything else switches the SMS to UCS-2
  // (70 characters a segment instead of 160). Mirrors gateway/sms/segments.py.
  var GSM_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var GSM_EXT = "^{}\\[~]|€\f";

  function count(text) {
    var chars = Array.from(text);
    var gsm = chars.every(function (ch) { return GSM_BASIC.indexOf(ch) >= 0 || GSM_EXT.indexOf(ch) >= 0; });
    var units = 0;
    chars.forEach(function (ch) {
      if (gsm) { units += GSM_EXT.indexOf(ch) >= 0 ? 2 : 1; } else { units += ch.codePointAt(0) > 0xffff ? 2 : 1; }
    });
    var single = gsm ? 160 : 70, part = gsm ? 153 : 67;
    var segments = units === 0 ? 0 : (units <= single ? 1 : Math.ceil(units / part));
    return { encoding: gsm ? "GSM-7" : "UCS-2", units: units, segments: segments };
  }

  function setupCounter(area) {
    var out = document.getElementById(area.getAttribute("data-counter"));
    if (!out) { return; }
    var prefix = area.getAttribute("data-prefix") || "", suffix = area.getAttribute("data-suffix") || "";
    function update() {
      // Counted on the whole SMS the citizen receives, with the bureau's prefix and the case number.
      var c = count(prefix + area.value.trim() + suffix);
      out.textContent = out.getAttribute("data-label-segments") + ": " + c.segments +
        " · " + c.units + " " + out.getAttribute("data-label-chars") + " · " + c.encoding;
      out.classList.toggle("multi", c.segments > 1);
      out.setAttribute("data-segments", String(c.segments));
    }
    area.addEventListener("input", update);
    update();
  }

  function setupPicker(select) {
    select.addEventListener("change", function () {
      var target = document.getElementById(select.getAttribute("data-target"));
      if (!target || !select.value) { return; }
      target.value = select.value;
      target.dispatchEvent(new Event("input"));
      target.focus();
    });
  }

  function setupBanner(banner) {
    var feed = banner.getAttribute("data-feed"), label = banner.getAttribute("data-label");
    var text = banner.querySelector(".banner-text"), links = banner.querySelector(".banner-links");
    function refresh() {
      fetch(feed, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          banner.classList.toggle("hidden", data.count === 0);
          text.textContent = label.replace("{count}", String(data.count));
          links.textContent = "";
          data.cases.forEach(function (c) {
            var a = document.createElement("a");
            a.href = c.url;
            a.textContent = c.number;  // text, never HTML
            links.appendChild(a);
          });
        })
        .catch(function () { /* offline for a moment: the next poll tries again */ });
    }
    setInterval(refresh, 20000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-counter]").forEach(setupCounter);
    document.querySelectorAll("select.template-picker").forEach(setupPicker);
    var banner = document.getElementById("emergency-banner");
    if (banner && window.fetch) { setupBanner(banner); }
  });
})();
