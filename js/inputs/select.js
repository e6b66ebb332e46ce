// A drop-down of a column's values (src/evalviz/interaction/inputs/select.py): "All" and one option per value,
// or a list box picking several. Options carry their index; the values themselves stay as JSON gave them.
import { element, frame, keepValues, labelled, note, nothingToFinalize, send } from "./common.js";

const ALL = "";

export function drawSelect(el, item) {
  const box = frame(el, item);
  const control = element("select", "evalviz-input-control");
  control.multiple = item.multiple;
  control.style.minWidth = "0"; // as wide as its longest option, but never wider than the page
  control.style.maxWidth = "100%";
  if (!item.multiple) control.add(new Option("All", ALL));
  item.options.forEach((option, i) => control.add(new Option(option.label, String(i))));
  if (item.multiple) control.size = Math.min(Math.max(item.options.length, 2), 8);
  const selected = new Set(item.selected);
  for (const option of control.options) option.selected = option.value !== ALL && selected.has(Number(option.value));
  if (!item.multiple && !selected.size) control.value = ALL;

  const update = () => {
    const values = Array.from(control.selectedOptions)
      .filter((option) => option.value !== ALL)
      .map((option) => item.options[Number(option.value)].value);
    const paramValue = !values.length ? null : item.multiple ? values : values[0];
    send(item, keepValues(values), paramValue);
  };
  control.addEventListener("change", update);
  box.append(labelled(item.label, control), note(item.note));
  update();
  return nothingToFinalize;
}
