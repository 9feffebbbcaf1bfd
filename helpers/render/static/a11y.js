// Accessible names ipywidgets leaves out, set in the page for every explorer panel (.ke-panel).
// A slider's handle is a <div role="slider"> that the slider's visible label does not name, so a
// screen reader announces "slider, 1950" without saying what it sets (axe: aria-input-field-name).
// Empty chart layers are hidden from assistive technology by keHideEmptyMarks (empty_marks.js).
// Handles and marks are re-created as the panel re-renders, so a MutationObserver looks again.
function nameSliders(root) {
  root.querySelectorAll(".widget-slider").forEach((box) => {
    const label = box.querySelector(".widget-label");
    const name = label ? label.textContent.trim() : "";
    if (!name) return;
    box.querySelectorAll('[role="slider"]').forEach((handle) => {
      if (handle.getAttribute("aria-label") !== name) handle.setAttribute("aria-label", name);
    });
  });
}

export default {
  render({ el }) {
    el.style.display = "none"; // a helper, nothing to show
    let observer = null;
    let frame = 0;
    const attach = () => {
      const root = el.closest(".ke-panel");
      if (!root) {
        frame = requestAnimationFrame(attach); // the panel's box attaches its children after rendering them
        return;
      }
      const fix = () => {
        nameSliders(root);
        keHideEmptyMarks(root);
      };
      fix();
      observer = new MutationObserver(fix);
      observer.observe(root, { childList: true, subtree: true });
    };
    attach();
    return () => {
      cancelAnimationFrame(frame);
      if (observer) observer.disconnect();
    };
  },
};
