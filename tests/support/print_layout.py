"""The layout of a report as a browser draws it, on screen or in print: what sticks out.

``layout(html, profile, width, media)`` opens the file in Debian's chromium and returns the
problems found: ``wide`` tables wider than their section, ``scroll`` sideways scrolling of the
page or of a table's own container, and (``deep``) text outside its cell, overlapping cells and
words broken across lines.
"""

from __future__ import annotations

from pathlib import Path

from support.browser import open_report

CSS_PX_PER_MM = 96 / 25.4
SIDE_MARGINS_MM = 2 * 12
PRINT_WIDTHS = {
    "A4": round((210 - SIDE_MARGINS_MM) * CSS_PX_PER_MM),
    "Letter": round((215.9 - SIDE_MARGINS_MM) * CSS_PX_PER_MM),
}
"""Content width in CSS px of each paper, as Chromium lays out the printed page."""
SCREEN_WIDTH = 1366

LAYOUT = """(deep) => {
  const visible = (el) => el.offsetParent !== null || getComputedStyle(el).position === 'fixed';
  const pageWidth = document.documentElement.clientWidth;
  const problems = {wide: [], outside: [], broken: [], scroll: []};
  const pageScroll = document.documentElement.scrollWidth;
  if (pageScroll > pageWidth + 1) problems.scroll.push(`page: ${pageScroll}`);
  for (const table of document.querySelectorAll('table')) {
    if (!visible(table)) continue;
    const section = table.closest('.section') || document.body;
    const style = getComputedStyle(section);
    const box = section.getBoundingClientRect();
    const right = Math.min(pageWidth, box.right - parseFloat(style.paddingRight));
    const left = table.getBoundingClientRect().left;
    const end = Math.round(left + table.scrollWidth);
    if (end > right + 1) problems.wide.push(`${table.id}: ${end} > ${Math.round(right)}`);
  }
  for (const wrap of document.querySelectorAll('.table-wrap')) {
    if (visible(wrap) && wrap.getBoundingClientRect().right > pageWidth + 1) {
      problems.scroll.push(wrap.firstElementChild.id);
    }
  }
  if (!deep) return problems;
  const textBoxes = (cell) => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    return Array.from(range.getClientRects()).filter(r => r.width > 0 && r.height > 0);
  };
  for (const row of document.querySelectorAll('tr')) {
    if (!visible(row)) continue;
    const cells = Array.from(row.children).map(cell => [cell, textBoxes(cell)]);
    for (const [cell, boxes] of cells) {
      const own = cell.getBoundingClientRect();
      if (boxes.some(b => b.left < own.left - 1 || b.right > own.right + 1)) {
        const text = cell.textContent.trim().slice(0, 40);
        problems.outside.push(`${row.closest('table').id}: ${text}`);
      }
    }
    for (let i = 0; i < cells.length; i++) for (let j = i + 1; j < cells.length; j++) {
      for (const a of cells[i][1]) for (const b of cells[j][1]) {
        const across = a.left < b.right - 1 && b.left < a.right - 1;
        if (across && a.top < b.bottom - 1 && b.top < a.bottom - 1) {
          problems.outside.push(`${row.closest('table').id}: overlap of cells ${i} and ${j}`);
        }
      }
    }
  }
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (texts.nextNode()) {
    const node = texts.currentNode;
    const parent = node.parentElement;
    if (!parent || !visible(parent) || parent.closest('code, small, .name, svg')) continue;
    const words = /[\\p{L}\\p{N}]{2,}/gu;
    for (let word = words.exec(node.data); word; word = words.exec(node.data)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const boxes = Array.from(range.getClientRects()).filter(r => r.width > 0);
      const lines = new Set(boxes.map(r => Math.round(r.top)));
      if (lines.size > 1) problems.broken.push(`${parent.tagName.toLowerCase()}: ${word[0]}`);
    }
  }
  return problems;
}"""


def layout(
    html: Path, profile: Path, width: int, media: str, *, deep: bool = True
) -> dict[str, list[str]]:
    """The layout problems of the report ``html`` at ``width`` CSS px in ``media``."""
    with open_report(html, profile) as report:
        report.page.set_viewport_size({"width": width, "height": 1000})
        report.page.emulate_media(media=media)
        found: dict[str, list[str]] = report.page.evaluate(LAYOUT, deep)
        report.record.assert_quiet(report.url)
    return found
