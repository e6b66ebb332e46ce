// A checkbox per value of a column (src/evalviz/interaction/inputs/checkbox_group.py): the ticked values are
// kept; none ticked keeps every row.
import { element, frame, group, keepValues, labelled, note, nothingToFinalize, send } from "./common.js";

export function drawCheckboxGroup(el, item) {
  const box = frame(el, item);
  const fieldset = group(item.label);
  const selected = new Set(item.selected);
  const boxes = item.options.map((option, i) => {
    const control = element("input", "evalviz-input-control");
    control.type = "checkbox";
    control.checked = selected.has(i);
    const label = labelled(option.label, control);
    label.prepend(control); // the box before its text
    fieldset.append(label);
    return control;
  });

  const update = () => {
    const values = item.options.filter((_, i) => boxes[i].checked).map((option) => option.value);
    send(item, keepValues(values), values.length ? values : null);
  };
  boxes.forEach((control) => control.addEventListener("change", update));
  box.append(fieldset, note(item.note));
  update();
  return nothingToFinalize;
}
