// The page's one stylesheet, inline (the page loads nothing). Narrow screens get one column of
// maps and tables that scroll sideways inside their own box.

export const STYLES = `
:root { color-scheme: light; --ink: #1b1b1b; --muted: #555; --rule: #d0d0d0; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 16px; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 32px 0 4px; padding-top: 12px; border-top: 2px solid var(--rule); overflow-wrap: anywhere; }
h3 { font-size: 1.05rem; margin: 24px 0 4px; overflow-wrap: anywhere; }
h4 { font-size: 0.98rem; margin: 16px 0 6px; }
p { margin: 4px 0; }
code { font: 0.92em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.summary { font-weight: 600; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 8px 0; }
p.caption { margin: 10px 0 0; font-size: 0.9rem; }
.caption + .scroll table { margin-top: 4px; }
th, td { border: 1px solid var(--rule); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f6f6; font-weight: 600; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.verdict, td.cell { white-space: nowrap; }
td.unmet, .unmet-mark { outline: 3px solid #000; outline-offset: -3px; font-weight: 700; }
.mark-met { color: #0b6b2f; }
.mark-unmet { color: #b00020; font-weight: 700; }
details { margin: 8px 0; border: 1px solid var(--rule); border-radius: 6px; padding: 6px 10px; }
summary { cursor: pointer; font-weight: 600; }
.maps { margin-bottom: 10px; display: grid; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); gap: 12px; align-items: start; }
figure { margin: 0; }
figcaption { font-size: 0.88rem; color: var(--muted); }
svg.heatmap { width: 100%; height: auto; display: block; }
svg .tick { fill: #333; font-family: system-ui, sans-serif; }
.legend svg { width: 100%; max-width: 260px; height: auto; display: block; }
.legend svg .tick { font-size: 9px; }
svg.heatmap .tick { font-size: inherit; }
.legends { display: flex; flex-wrap: wrap; gap: 8px 24px; margin: 6px 0; }
.legends .legend { flex: 1 1 200px; max-width: 280px; }
ul.problems { padding-left: 20px; }
@media (max-width: 600px) { body { padding: 10px; font-size: 14px; } th, td { padding: 3px 5px; } td.verdict { white-space: normal; } }
`;
