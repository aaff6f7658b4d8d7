import CRM

/// Building pages: everything a user typed goes through `escape`.
enum HTML {
    /// Escapes `&`, `<`, `>`, `"` and `'` so that text can go into element content and attributes.
    static func escape(_ text: String) -> String { text.htmlEscaped }
}

/// The frame of every page: title, navigation, the signed-in user (marked when an
/// administrator, who sees every record), and the one stylesheet (no remote resources,
/// no script, no inline style: the Content-Security-Policy allows none).
enum PageLayout {
    static let administratorBadge = #" <span class="badge admin" title="Administrator: sees every record of every module">admin</span>"#

    static func page(title: String, crmName: String, identity: Identity?, csrfToken: String, body: String) -> String {
        let user = identity.map { """
            <span class="who">\(HTML.escape($0.crmUser.name)) &lt;\(HTML.escape($0.accountEmail))&gt;</span>\($0.access.isAdministrator ? administratorBadge : "")
            <form method="post" action="/signout" class="inline"><input type="hidden" name="csrf" value="\(HTML.escape(csrfToken))"><button type="submit" class="link">Sign out</button></form>
            """ } ?? ""
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(title)) · \(HTML.escape(crmName))</title>
            <link rel="icon" href="\(PageIcon.path)" type="image/svg+xml">
            <link rel="stylesheet" href="\(Stylesheet.path)"></head>
            <body><header><a class="brand" href="/">\(HTML.escape(crmName))</a><nav>\(user)</nav></header>
            <main>\(body)</main></body></html>
            """
    }

    static let stylesheet = """
        :root{--fg:#1d2430;--muted:#5b6474;--line:#dfe3ea;--accent:#2457c5;--bg:#f6f7f9;--bad:#b3261e}
        *{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
        header{display:flex;justify-content:space-between;align-items:center;padding:.6rem 1.2rem;background:#fff;border-bottom:1px solid var(--line)}
        .brand{font-weight:600;color:var(--fg);text-decoration:none}nav{display:flex;gap:.8rem;align-items:center;color:var(--muted)}
        main{max-width:1100px;margin:1.2rem auto;padding:0 1.2rem}a{color:var(--accent)}h1{font-size:1.4rem;margin:.2rem 0 1rem}
        table{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line)}th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid var(--line)}
        th{font-weight:600;color:var(--muted);font-size:.85rem}dl{display:grid;grid-template-columns:12rem 1fr;gap:.3rem 1rem;background:#fff;padding:1rem;border:1px solid var(--line)}
        dt{color:var(--muted)}dd{margin:0}form.stack{display:grid;gap:.7rem;max-width:36rem;background:#fff;padding:1rem;border:1px solid var(--line)}
        label{display:grid;gap:.2rem;font-weight:500}input,select,textarea{font:inherit;padding:.4rem;border:1px solid var(--line);border-radius:4px}
        button{font:inherit;padding:.4rem .9rem;border:0;border-radius:4px;background:var(--accent);color:#fff;cursor:pointer}
        button.link{background:none;color:var(--accent);padding:0}.inline{display:inline}.error{color:var(--bad)}.muted{color:var(--muted)}
        .toolbar{display:flex;gap:.6rem;align-items:end;margin-bottom:.8rem;flex-wrap:wrap}.badge{font-size:.8rem;padding:.1rem .4rem;border-radius:3px;background:var(--line)}.badge.admin{background:var(--accent);color:#fff}
        \(recordStyles)
        """

    /// The record pages: overview cards, lists, the record page and its forms.
    static let recordStyles = """
        h2{font-size:1.05rem;margin:1.6rem 0 .5rem}.crumbs{margin:0;font-size:.9rem}.nowrap{white-space:nowrap}
        .title-row{display:flex;justify-content:space-between;align-items:center;gap:1rem;flex-wrap:wrap}
        a.button{display:inline-block;padding:.4rem .9rem;border-radius:4px;background:var(--accent);color:#fff;text-decoration:none}
        .cards{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(12rem,1fr));gap:.8rem}
        .card{display:grid;gap:.1rem;padding:.9rem 1rem;background:#fff;border:1px solid var(--line);border-radius:6px;color:var(--fg);text-decoration:none}
        .card:hover,.card:focus{border-color:var(--accent)}.count{font-size:1.6rem;font-weight:600;color:var(--accent)}.card-title{font-weight:600}
        table.list tbody tr:hover{background:#f0f4fb}td{vertical-align:top}.toolbar label{font-weight:500;font-size:.9rem}
        .pager{display:flex;gap:1rem;justify-content:center;align-items:center;margin:.8rem 0}
        .empty{padding:1rem;background:#fff;border:1px dashed var(--line);color:var(--muted)}
        dl.fields dd{overflow-wrap:anywhere}.prose{white-space:pre-wrap}
        .record-form{display:grid;gap:.9rem;max-width:44rem;background:#fff;padding:1.2rem;border:1px solid var(--line)}
        select{background:#fff}.field{display:grid;gap:.25rem}.field>label{display:block;font-weight:500}.field.checkbox label{display:flex;gap:.4rem;align-items:center}
        .required{color:var(--bad)}.hint{margin:0;font-size:.85rem;color:var(--muted)}
        .invalid input,.invalid select,.invalid textarea{border-color:var(--bad);background:#fff7f6}
        .field-error{margin:0;color:var(--bad);font-size:.9rem}
        .alert,.notice{padding:.7rem 1rem;border-radius:4px;border:1px solid var(--line);background:#fff}.alert{border-color:var(--bad);color:var(--bad)}
        .actions{display:flex;gap:1rem;align-items:center}
        .danger-zone{margin-top:2rem;color:var(--muted)}.danger-zone form{margin-top:.5rem}button.danger{background:var(--bad)}
        """
}
