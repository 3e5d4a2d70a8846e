/*
 * Starts GraphiQL against this server, with the explorer, the docs' example operations and (in development)
 * a sign-in panel for demo users. Every asset comes from this server.
 */
(function () {
  var config = JSON.parse(document.getElementById("playground-config").textContent);
  var h = React.createElement;
  var Kit = GraphiQL.React; // @graphiql/react as bundled in graphiql's UMD: its hooks reach the editors
  // subscriptions go over WebSocket (graphql-ws, bundled in graphiql.min.js); the headers, token included, become the connection_init payload
  var subscriptionUrl = new URL(config.endpoint, location.href);
  subscriptionUrl.protocol = subscriptionUrl.protocol === "https:" ? "wss:" : "ws:";
  var fetchGraphQL = GraphiQL.createFetcher({ url: config.endpoint, subscriptionUrl: subscriptionUrl.href });

  function storedHeaders() {
    try {
      return JSON.parse(localStorage.getItem("graphiql:headers") || "{}") || {};
    } catch (e) {
      return {};
    }
  }

  function hasToken(headers) {
    var value = headers && (headers.Authorization || headers.authorization);
    return typeof value === "string" && /^Bearer\s+\S+/i.test(value);
  }

  // The demo caller signed in with the panel, kept across reloads. A store outside React: the panel,
  // the examples and the fetcher all read it.
  var SESSION_KEY = "playground:session";
  var session = null;
  try {
    session = JSON.parse(localStorage.getItem(SESSION_KEY) || "null");
  } catch (e) {}
  if (!config.signIn) session = null;
  var listeners = new Set();
  function setSession(next) {
    session = next;
    if (next) localStorage.setItem(SESSION_KEY, JSON.stringify(next));
    else localStorage.removeItem(SESSION_KEY);
    listeners.forEach(function (listener) { listener(); });
  }
  function useSession() {
    return React.useSyncExternalStore(
      function (listener) { listeners.add(listener); return function () { listeners.delete(listener); }; },
      function () { return session; },
    );
  }

  function sessionHeaders(current) {
    return current ? JSON.stringify({ Authorization: "Bearer " + current.token }, null, 2) : config.defaultHeaders;
  }

  // GraphiQL fetches the schema before it reads the saved headers: fall back to the saved token (or the
  // signed-in one) so a reload, or the re-fetch schema button, is authenticated.
  function fetcher(params, options) {
    options = options || {};
    var headers = Object.assign({}, options.headers || {});
    if (!hasToken(headers)) {
      var saved = storedHeaders();
      var fallback = hasToken(saved) ? saved.Authorization || saved.authorization : session && "Bearer " + session.token;
      delete headers.authorization;
      if (fallback) headers.Authorization = fallback;
      else delete headers.Authorization;
    }
    return fetchGraphQL(params, Object.assign({}, options, { headers: headers }));
  }

  /** Puts the token into the headers editor (keeping its other headers), where the user sees it. */
  function setAuthorization(headerEditor, token) {
    var headers = {};
    try {
      headers = JSON.parse(headerEditor.getValue() || "{}") || {};
    } catch (e) {}
    delete headers.authorization;
    if (token) headers.Authorization = "Bearer " + token;
    else delete headers.Authorization;
    headerEditor.setValue(JSON.stringify(headers, null, 2));
  }

  /** Signs in: a token from the server, into the current tab's headers; the schema is fetched again with it. */
  function useSignIn() {
    var editor = Kit.useEditorContext({ nonNull: true });
    var schema = Kit.useSchemaStore();
    return function (partner, roles) {
      return fetch(config.signIn.tokenUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ partner: partner, roles: roles }) })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) throw new Error(body.error || "Sign-in failed (HTTP " + response.status + ").");
            return body;
          });
        })
        .then(function (body) {
          setSession(body);
          setAuthorization(editor.headerEditor, body.token);
          schema.introspect();
          return body;
        });
    };
  }

  function SignIn() {
    var current = useSession();
    var signIn = useSignIn();
    var editor = Kit.useEditorContext({ nonNull: true });
    var [partner, setPartner] = React.useState(current ? current.partner.key : config.signIn.partners[0].key);
    var [roles, setRoles] = React.useState(current ? current.roles : ["GLOBAL_ADMIN"]);
    var [error, setError] = React.useState(null);
    function toggle(role) {
      setRoles(roles.includes(role) ? roles.filter(function (r) { return r !== role; }) : roles.concat(role));
    }
    function submit(event) {
      event.preventDefault();
      setError(null);
      signIn(partner, roles).catch(function (e) { setError(e.message); });
    }
    function signOut() {
      setSession(null);
      setAuthorization(editor.headerEditor, null);
    }
    return h(
      "form",
      { id: "playground-sign-in", onSubmit: submit },
      h("label", null, "Demo partner ", h("select", { name: "partner", value: partner, onChange: function (e) { setPartner(e.target.value); } },
        config.signIn.partners.map(function (p) { return h("option", { key: p.key, value: p.key }, p.name + " (" + p.mpnId + ")"); }))),
      h("fieldset", null, h("legend", null, "Roles"),
        config.signIn.roles.map(function (role) {
          return h("label", { key: role }, h("input", { type: "checkbox", name: "role", value: role, checked: roles.includes(role), onChange: function () { toggle(role); } }), " " + role);
        })),
      h("button", { type: "submit", disabled: roles.length === 0 }, "Sign in"),
      error && h("p", { className: "pg-error", role: "alert" }, error),
      current && h("p", { id: "playground-session", role: "status" }, "Signed in as " + current.email + " of " + current.partner.name + ": " + current.roles.join(", ") + ". ",
        h("button", { type: "button", onClick: signOut }, "Sign out")),
    );
  }

  function fitsRoles(example, current) {
    return !!current && example.roles.every(function (role) { return current.roles.includes(role); });
  }
  function isCaller(example, current) {
    return fitsRoles(example, current) && current.partner.key === example.partner;
  }

  /** A new tab holding the example. flushSync: addTab resets the editors when React renders it, so render before filling them. */
  function openTab(editor, example) {
    ReactDOM.flushSync(function () { editor.addTab(); });
    editor.queryEditor.setValue(example.query);
    editor.variableEditor.setValue(Object.keys(example.variables).length ? JSON.stringify(example.variables, null, 2) : "");
    if (session) setAuthorization(editor.headerEditor, session.token);
  }

  // once per page load: the pane mounts again each time it is shown
  var examplesLoaded = null;
  function loadExamples() {
    examplesLoaded = examplesLoaded || fetch(config.examplesUrl)
      .then(function (response) { return response.json(); })
      .then(function (body) { return { examples: body.examples, error: body.error || null }; })
      .catch(function (e) { return { examples: [], error: e.message }; });
    return examplesLoaded;
  }

  function Examples() {
    var current = useSession();
    var editor = Kit.useEditorContext({ nonNull: true });
    var signIn = useSignIn();
    var [loaded, setLoaded] = React.useState({ examples: null, error: null });
    var [offer, setOffer] = React.useState(null);
    var [error, setError] = React.useState(null);
    React.useEffect(function () {
      loadExamples().then(setLoaded);
    }, []);

    function signInAs(example) {
      return signIn(example.partner, example.roles).then(function () { setOffer(null); }, function (e) { setError(e.message); throw e; });
    }
    function open(example) {
      setOffer(null);
      setError(null);
      // not signed in: sign in as the example's caller first, so it runs as the docs show it
      if (config.signIn && !session) return void signInAs(example).then(function () { openTab(editor, example); }, function () {});
      openTab(editor, example);
      // signed in as someone else: the example opens with that token, and the panel offers its own caller
      if (config.signIn && !isCaller(example, session)) setOffer(example);
    }
    function item(example) {
      return h("li", { key: example.name }, h("button", { type: "button", "data-example": example.name, onClick: function () { open(example); } },
        example.title, h("br"), h("small", null, example.partner + " · " + example.roles.join(", "))));
    }

    var examples = loaded.examples || [];
    var mine = examples.filter(function (e) { return fitsRoles(e, current); });
    var others = examples.filter(function (e) { return !fitsRoles(e, current); });
    return h(
      "section",
      { id: "playground-examples" },
      h("div", { className: "graphiql-doc-explorer-title" }, "Examples"),
      loaded.examples === null && h("p", { className: "pg-note" }, "Loading…"),
      (loaded.error || error) && h("p", { className: "pg-error", role: "alert" }, loaded.error || error),
      loaded.examples && examples.length === 0 && !loaded.error && h("p", { className: "pg-note" }, "No examples in docs/examples yet."),
      offer && h("p", { className: "pg-note", role: "status" }, "“" + offer.title + "” is written for " + offer.partner + " · " + offer.roles.join(", ") + ". ",
        h("button", { type: "button", onClick: function () { signInAs(offer).catch(function () {}); } }, "Sign in as them")),
      mine.length > 0 && h("h4", null, "For your roles"),
      mine.length > 0 && h("ul", null, mine.map(item)),
      others.length > 0 && current && h("h4", null, "For other roles"),
      others.length > 0 && h("ul", null, others.map(item)),
    );
  }

  function Pane() {
    return h("div", { className: "pg-pane" }, config.signIn && h(SignIn), h(Examples));
  }

  function PaneIcon() {
    return h("svg", { viewBox: "0 0 24 24", fill: "none", stroke: "currentColor", strokeWidth: 1.5, "aria-hidden": true },
      h("circle", { cx: 12, cy: 8, r: 4 }), h("path", { d: "M4 21c0-4 4-6 8-6s8 2 8 6" }));
  }

  // created once: GraphiQL resets its plugin state whenever the plugins list changes identity
  var pane = { title: config.signIn ? "Sign in & examples" : "Examples", icon: PaneIcon, content: Pane };
  var plugins = [pane, GraphiQLPluginExplorer.explorerPlugin()];

  function Playground() {
    var current = useSession();
    return h(GraphiQL, {
      fetcher: fetcher,
      plugins: plugins,
      defaultQuery: config.defaultQuery,
      // new tabs ("+") carry the signed-in caller's token
      defaultHeaders: sessionHeaders(current),
      defaultEditorToolsVisibility: "headers",
      shouldPersistHeaders: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(h(Playground));

  // An analyst's first step in development is signing in: open the pane. GraphiQL 4.1's visiblePlugin prop
  // selects a plugin but leaves its pane collapsed, so press its sidebar button the way a user would.
  if (config.signIn && !session) {
    (function openPane(tries) {
      var button = document.querySelector('.graphiql-sidebar button[aria-label="Show ' + pane.title + '"]');
      if (button) button.click();
      else if (tries > 0) requestAnimationFrame(function () { openPane(tries - 1); });
    })(300);
  }
})();
