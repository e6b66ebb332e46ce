// A radio button "All" and one per value of a column (src/evalviz/interaction/inputs/radio_group.py).
import { element, frame, group, keepValues, labelled, note, nothingToFinalize, send } from "./common.js";

let groups = 0; // each drawn group's buttons share a name of their own, however often an input is drawn

export function drawRadioGroup(el, item) {
  const box = frame(el, item);
  const fieldset = group(item.label);
  const name = `evalviz-radio-${++groups}`;
  const choices = [{ label: "All", value: null, all: true }, ...item.options];
  const chosen = item.selected.length ? item.selected[0] + 1 : 0;
  const buttons = choices.map((choice, i) => {
    const control = element("input", "evalviz-input-control");
    control.type = "radio";
    control.name = name;
    control.checked = i === chosen;
    const label = labelled(choice.label, control);
    label.prepend(control);
    fieldset.append(label);
    return control;
  });

  const update = () => {
    const i = buttons.findIndex((control) => control.checked);
    const values = i > 0 ? [choices[i].value] : [];
    send(item, keepValues(values), values.length ? values[0] : null);
  };
  buttons.forEach((control) => control.addEventListener("change", update));
  box.append(fieldset, note(item.note));
  update();
  return nothingToFinalize;
}
