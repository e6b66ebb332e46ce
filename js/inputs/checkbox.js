// One checkbox (src/evalviz/interaction/inputs/checkbox.py): ticked keeps item.values[0], not ticked
// item.values[1]; a null state ("all") keeps every row.
import { element, frame, keepValues, labelled, nothingToFinalize, send } from "./common.js";

export function drawCheckbox(el, item) {
  const box = frame(el, item);
  const control = element("input", "evalviz-input-control");
  control.type = "checkbox";
  control.checked = item.checked;
  const label = labelled(item.label, control);
  label.prepend(control);

  const update = () => {
    const state = item.values[control.checked ? 0 : 1];
    send(item, state ? keepValues([state.value]) : null, state ? state.value : null);
  };
  control.addEventListener("change", update);
  box.append(label);
  update();
  return nothingToFinalize;
}
