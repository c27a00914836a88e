/* Measures one page of the built guide as the browser laid it out, for
   scripts/screenshot_docs.py (--check) and tests/test_pages_layout.py (issue 26, item 9).
   Injected at the end of each page of a throwaway build; a second after `load` (Material's
   script has added the copy buttons by then) it posts its findings, as JSON, to the page that
   framed it. Every list holds problems: empty lists are a page that reads at this width. */
(function () {
  "use strict";

  // How many lines a range's boxes sit on: a name broken across lines has boxes on two.
  function lines(rects) {
    var tops = {};
    for (var i = 0; i < rects.length; i++) {
      if (rects[i].width > 0) { tops[Math.round(rects[i].top)] = true; }
    }
    return Object.keys(tops).length;
  }

  function overlaps(a, b) {
    return a.width > 0 && a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top;
  }

  function text(node, length) {
    return node.textContent.replace(/\s+/g, " ").trim().slice(0, length);
  }

  // The code's first line, as a range: from its first character to its first newline.
  function firstLine(code) {
    var walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    var range = document.createRange(), started = false, node;
    while ((node = walker.nextNode())) {
      if (!started) { range.setStart(node, 0); started = true; }
      var end = node.data.indexOf("\n");
      if (end >= 0) { range.setEnd(node, end); return range; }
      range.setEnd(node, node.data.length);
    }
    return started ? range : null;
  }

  function measure() {
    var view = document.documentElement.clientWidth;
    var article = document.querySelector("article") || document.body;
    var out = {page: location.pathname, view: view,
               page_wider: document.documentElement.scrollWidth > view + 1,
               tables: [], code: [], covered: [], broken: [], names: 0, buttons: 0, images: [],
               first_code: null, pair: null, screen: 0};

    // A table, or the scroll box Material wraps it in, that is wider than its room hides
    // columns behind a sideways scroll.
    article.querySelectorAll("table").forEach(function (table) {
      if (table.closest(".highlighttable")) { return; }
      var box = table.closest(".md-typeset__scrollwrap") || table.parentElement;
      var hidden = Math.max(table.scrollWidth - table.clientWidth, box.scrollWidth - box.clientWidth);
      var right = table.getBoundingClientRect().right;
      if (hidden > 1 || right > view + 1) {
        out.tables.push({head: table.rows.length ? text(table.rows[0], 80) : "", hidden: hidden,
                         right: Math.round(right)});
      }
    });

    // A code block whose lines run past its right edge cuts them (a scroll bar, when there is
    // one, is easy to miss); its copy button must not sit on its first line.
    article.querySelectorAll("pre").forEach(function (pre) {
      var code = pre.querySelector("code") || pre;
      var box = pre.getBoundingClientRect();
      if (box.width === 0) { return; }  // folded away (a closed <details>)
      var hidden = code.scrollWidth - code.clientWidth;
      if (hidden > 1 || box.right > view + 1) {
        out.code.push({first: text(code, 80), hidden: hidden, right: Math.round(box.right)});
      }
      var nav = pre.querySelector(".md-code__nav, .md-clipboard");
      if (!nav) { return; }
      out.buttons += 1;
      var button = nav.getBoundingClientRect(), line = firstLine(code);
      if (!line) { return; }
      var rects = line.getClientRects();
      for (var i = 0; i < rects.length; i++) {
        if (overlaps(rects[i], button)) { out.covered.push({first: text(code, 80)}); break; }
      }
    });

    // Pictures: the file drawn (a <picture> chooses among several by the width: currentSrc)
    // and how wide, for the caller to scale the smallest text of the file by (an SVG's text is
    // out of the page's reach); and whether the picture is wider than the block it sits in,
    // which then scrolls sideways (or cuts it).
    article.querySelectorAll("img").forEach(function (img) {
      var box = img.getBoundingClientRect();
      if (box.width === 0) { return; }
      var block = img.closest("p, figure, div, article") || article;
      var room = block.getBoundingClientRect();
      out.images.push({src: img.currentSrc || img.src, width: box.width,
                       wider: box.width > block.clientWidth + 1 || box.right > room.right + 1
                              || block.scrollWidth > block.clientWidth + 1});
    });

    // Where the first code block (or a lesson's pair, a grid of lines: walkthrough/sidebyside.py)
    // starts, from the top of the page, in px: a lesson's reader comes for the code, and prose
    // above it is read on a phone screen by screen.
    // A lesson's pair is measured on its own: a one-line command above it would otherwise pass
    // for the code a reader came for.
    var blocks = article.querySelectorAll("pre, .pairs");
    for (var b = 0; b < blocks.length; b++) {
      var top = blocks[b].getBoundingClientRect();
      if (top.width > 0) { out.first_code = top.top + window.scrollY; break; }
    }
    var pair = article.querySelector(".pairs");
    if (pair && pair.getBoundingClientRect().width > 0) {
      out.pair = pair.getBoundingClientRect().top + window.scrollY;
    }
    out.screen = window.innerHeight;

    // The concept map (its title's id is concept-map): no name in the asyncio or the Trio
    // column may be split across lines. A name is a run of non-space characters of inline code.
    if (document.getElementById("concept-map")) {
      article.querySelectorAll("table tbody tr").forEach(function (row) {
        [0, 1].forEach(function (column) {
          var cell = row.cells[column];
          if (!cell) { return; }
          cell.querySelectorAll("code").forEach(function (code) {
            var walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT), node, match;
            while ((node = walker.nextNode())) {
              var names = /\S+/g;
              while ((match = names.exec(node.data))) {
                var range = document.createRange();
                range.setStart(node, match.index);
                range.setEnd(node, match.index + match[0].length);
                out.names += 1;
                if (lines(range.getClientRects()) > 1) {
                  out.broken.push({column: column === 0 ? "asyncio" : "Trio", name: match[0]});
                }
              }
            }
          });
        });
      });
    }
    window.parent.postMessage(JSON.stringify(out), "*");
  }

  window.addEventListener("load", function () { setTimeout(measure, 1000); });
})();
