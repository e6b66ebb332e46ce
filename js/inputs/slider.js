// A slider (src/evalviz/interaction/inputs/slider.py): one thumb ("point": rows equal to its value are kept) or
// two ("interval": rows from low to high, both kept; the low thumb never passes the high one).
import { element, frame, labelled, nothingToFinalize, send } from "./common.js";

function range(item, value) {
  const control = element("input", "evalviz-input-control");
  control.type = "range";
  control.min = String(item.min);
  control.max = String(item.max);
  control.step = String(item.step);
  control.value = String(value);
  return control;
}

/** A thumb's value; a thumb at the top of its track reads as `max` itself, which the step grid may not reach. */
function read(control, item) {
  const value = Number(control.value);
  const step = item.step === "any" ? 0 : Number(item.step);
  return value >= item.max || value + step > item.max ? item.max : value;
}

const shown = (value) => (Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6))));

function drawPoint(el, item, output) {
  const control = range(item, item.value === null ? item.min : item.value);
  const update = () => {
    const value = read(control, item);
    output.textContent = shown(value);
    send(item, { op: "in", value: [[value]] }, value);
  };
  control.addEventListener("input", update);
  if (item.value === null) output.textContent = "all";
  else update();
  return [control];
}

function drawInterval(el, item, output) {
  const [start, end] = item.value === null ? [item.min, item.max] : item.value;
  const low = range(item, start);
  const high = range(item, end);
  low.classList.add("evalviz-slider-low");
  high.classList.add("evalviz-slider-high");
  const update = (moved) => {
    if (Number(low.value) > Number(high.value)) {
      if (moved === low) low.value = high.value;
      else high.value = low.value;
    }
    const lo = Number(low.value);
    const hi = read(high, item);
    output.textContent = `${shown(lo)} – ${shown(hi)}`;
    send(item, { op: "range", value: [lo, hi] }, [lo, hi]);
  };
  low.addEventListener("input", () => update(low));
  high.addEventListener("input", () => update(high));
  if (item.value === null) output.textContent = `${shown(item.min)} – ${shown(item.max)} (all)`;
  else update(null);
  return [low, high];
}

export function drawSlider(el, item) {
  const box = frame(el, item);
  const output = element("output", "evalviz-slider-value");
  const track = element("span", "evalviz-slider-track");
  track.style.display = "inline-flex";
  track.style.gap = "4px";
  track.append(...(item.select === "interval" ? drawInterval : drawPoint)(el, item, output));
  const label = labelled(item.label, track);
  label.append(output);
  box.append(label);
  return nothingToFinalize;
}
