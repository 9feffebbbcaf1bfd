// Links an ipywidgets control to one param of an altair JupyterChart in the page itself, so a change
// moves the chart's signal in the same frame; the kernel hears of it afterwards through the
// chart's synced params (and updates the table and count from there).
function modelId(ref) {
  return String(ref).replace(/^IPY_MODEL_/, "").replace(/^anywidget:/, "");
}

function read(control) {
  const labels = control.get("_options_labels");
  if (labels !== undefined && labels !== null) {
    const index = control.get("index");
    if (Array.isArray(index)) return index.map((i) => labels[i]).join(",");
    return index === null || index === undefined ? null : labels[index];
  }
  return control.get("value");
}

async function link(model) {
  const manager = model.widget_manager;
  const control = await manager.get_model(modelId(model.get("control")));
  const chart = await manager.get_model(modelId(model.get("chart")));
  const name = model.get("name");
  const push = () => {
    const value = read(control);
    const params = Object.assign({}, chart.get("_params"));
    if (value === null || params[name] === value) return;
    params[name] = value;
    chart.set("_params", params);
    chart.save_changes();
  };
  control.on("change:index", push);
  control.on("change:value", push);
}

export default {
  async initialize({ model }) {
    await link(model);
  },
};
