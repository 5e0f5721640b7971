/// The page's inline style sheet: readable from 360 px up (tables turn into labelled
/// blocks on a phone), and every colour repeats a word that is on the page.
enum StatusPageStyle {
    static let css = """
        :root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.4}
        body{margin:0 auto;max-width:72rem;padding:1rem;color:#1b1f24;background:#fff}
        h1{font-size:1.5rem;margin:.2rem 0}h1 small{font-weight:normal;color:#57606a}
        h2{font-size:1.15rem;margin:1.4rem 0 .4rem;border-bottom:1px solid #d0d7de}
        .stamp,.note,.usual{color:#57606a;font-size:.9rem}
        #verdict{font-size:1.15rem;font-weight:600;padding:.6rem .8rem;border-left:.4rem solid;border-radius:4px;overflow-wrap:anywhere}
        table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #eaeef2;vertical-align:top}
        thead th{font-size:.85rem;color:#57606a}.reason,code{overflow-wrap:anywhere}
        .badge{display:inline-block;padding:0 .45rem;border-radius:1rem;font-size:.85rem;font-weight:600;border:1px solid}
        .s-ok,.s-online{background:#dafbe1;color:#116329;border-color:#4ac26b}
        .s-warning,.s-stale{background:#fff8c5;color:#7d4e00;border-color:#d4a72c}
        .s-failed,.s-missed{background:#ffebe9;color:#a40e26;border-color:#ff8182}
        .s-running{background:#ddf4ff;color:#0a3069;border-color:#54aeff}
        .s-never,.s-none,.s-offline,.s-unknown{background:#f6f8fa;color:#424a53;border-color:#afb8c1}
        .s-unknown{border-style:dashed}
        #nights{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(3.2rem,1fr));gap:.25rem}
        #nights li{border:1px solid;border-radius:4px;padding:.15rem .25rem;font-size:.75rem;text-align:center}
        #nights .dom{display:block;font-weight:600;font-size:.9rem}
        #why li{margin:.2rem 0;overflow-wrap:anywhere}#why .awake{font-weight:600}
        dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
        .spark,.strip{vertical-align:middle}
        .b-ok{fill:#2da44e}.b-warning{fill:#bf8700}.b-failed{fill:#cf222e}.b-running{fill:#0969da}.b-none{fill:#afb8c1}
        .p-up{fill:#2da44e}.p-some{fill:#a6e2b4}.p-off{fill:#eaeef2}.p-none{fill:#fff;stroke:#eaeef2}
        @media (max-width:40rem){
        body{padding:.6rem}table,thead,tbody,tr,th,td{display:block}thead{position:absolute;left:-9999px}
        tr{border:1px solid #d0d7de;border-radius:4px;margin:.5rem 0;padding:.3rem}
        td,tbody th{border:0;padding:.15rem .3rem}td::before{content:attr(data-label) ": ";font-weight:600;color:#57606a}
        dl{grid-template-columns:1fr}
        }
        """
}
