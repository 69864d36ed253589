// The reader's progressive enhancement; the pages work without it.
// - Deep zoom: the page image (#viewer) becomes an OpenSeadragon viewer over the IIIF
//   image service named by data-info, the hit outlines of its SVG as overlays.
// - Copy: a button beside each field with data-copy puts the field's text on the clipboard.
(function () {
  "use strict";

  function zoom(viewer) {
    if (!window.OpenSeadragon) {
      return;
    }
    // The controls' tooltips in the page's language.
    OpenSeadragon.setString("Tooltips.ZoomIn", viewer.dataset.zoomIn);
    OpenSeadragon.setString("Tooltips.ZoomOut", viewer.dataset.zoomOut);
    OpenSeadragon.setString("Tooltips.Home", viewer.dataset.home);
    OpenSeadragon.setString("Tooltips.FullPage", viewer.dataset.fullPage);
    var width = Number(viewer.dataset.width);
    var container = document.createElement("div");
    container.className = "zoom";
    container.id = "zoom";
    // As tall as the page at the column's width, at most most of the screen (the CSS's).
    container.style.aspectRatio = viewer.dataset.width + " / " + viewer.dataset.height;
    container.setAttribute("role", "region");
    container.setAttribute("aria-label", viewer.dataset.label);
    viewer.parentNode.insertBefore(container, viewer);
    // OpenSeadragon's viewport: the image is 1 wide, y in the same unit.
    var overlays = Array.prototype.map.call(viewer.querySelectorAll("svg.hits rect"), function (rect) {
      var element = document.createElement("div");
      element.className = "hit";
      var at = function (name) { return Number(rect.getAttribute(name)) / width; };
      return { element: element, location: new OpenSeadragon.Rect(at("x"), at("y"), at("width"), at("height")) };
    });
    var osd = OpenSeadragon({
      element: container,
      prefixUrl: "/static/openseadragon/images/",
      tileSources: viewer.dataset.info,
      overlays: overlays,
      showNavigator: false,
      gestureSettingsMouse: { scrollToZoom: false },
      visibilityRatio: 1
    });
    osd.addHandler("open", function () {
      document.body.classList.add("zoomed");
    });
    osd.addHandler("open-failed", function () {
      osd.destroy();
      container.remove();
    });
  }

  function copyButton(field) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = field.dataset.copy;
    button.addEventListener("click", function () {
      field.select();
      var done = function () { button.textContent = field.dataset.copied; };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          document.execCommand("copy");
          done();
        });
      } else {
        document.execCommand("copy");
        done();
      }
    });
    field.insertAdjacentElement("afterend", button);
  }

  var viewer = document.getElementById("viewer");
  if (viewer) {
    zoom(viewer);
  }
  Array.prototype.forEach.call(document.querySelectorAll("input[data-copy]"), copyButton);
})();
