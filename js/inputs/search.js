// A search box (src/evalviz/interaction/inputs/search.py): the rows whose column matches the text are kept
// ("contains" / "prefix" without regard to case, "regexp" as written); an empty box keeps every row.
import { compiledPattern } from "../selections.js";
import { element, frame, labelled, note, nothingToFinalize, send } from "./common.js";

function patternProblem(type, text) {
  if (type !== "regexp" || !text) return "";
  return compiledPattern(text) ? "" : "Not a valid regular expression yet: it matches nothing.";
}

export function drawSearch(el, item) {
  const box = frame(el, item);
  const control = element("input", "evalviz-input-control");
  control.type = "search";
  control.value = item.value || "";
  if (item.placeholder) control.placeholder = item.placeholder;
  const problem = note("");

  const update = () => {
    const text = control.value;
    const message = patternProblem(item.type, text);
    problem.textContent = message;
    problem.hidden = !message;
    send(item, text ? { op: item.type, value: text } : null, text);
  };
  control.addEventListener("input", update);
  box.append(labelled(item.label, control), problem);
  update();
  return nothingToFinalize;
}
