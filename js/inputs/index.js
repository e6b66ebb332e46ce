// Input items (src/evalviz/interaction/inputs/): each kind of input is drawn by its own module.
import { registerItem } from "../items.js";
import { drawCheckbox } from "./checkbox.js";
import { drawCheckboxGroup } from "./checkbox_group.js";
import { drawRadioGroup } from "./radio_group.js";
import { drawSearch } from "./search.js";
import { drawSelect } from "./select.js";
import { drawSlider } from "./slider.js";

const inputs = {
  checkbox: drawCheckbox,
  checkbox_group: drawCheckboxGroup,
  radio_group: drawRadioGroup,
  search: drawSearch,
  select: drawSelect,
  slider: drawSlider,
};

registerItem("input", (el, item) => {
  const draw = Object.prototype.hasOwnProperty.call(inputs, item.input) ? inputs[item.input] : null;
  if (!draw) throw new Error(`evalviz cannot draw an input of kind ${JSON.stringify(item.input)}`);
  return draw(el, item);
});
