/* Starts GraphiQL against this server; every asset comes from this server. */
(function () {
  var config = JSON.parse(document.getElementById("playground-config").textContent);
  var fetchGraphQL = GraphiQL.createFetcher({ url: config.endpoint });

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

  // GraphiQL fetches the schema before it reads the saved headers: fall back to
  // the saved token so a reload (or the re-fetch schema button) is authenticated.
  function fetcher(params, options) {
    options = options || {};
    var headers = Object.assign({}, options.headers || {});
    if (!hasToken(headers)) {
      var saved = storedHeaders();
      if (hasToken(saved)) headers.Authorization = saved.Authorization || saved.authorization;
      else {
        delete headers.Authorization;
        delete headers.authorization;
      }
    }
    return fetchGraphQL(params, Object.assign({}, options, { headers: headers }));
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: config.defaultQuery,
      defaultHeaders: config.defaultHeaders,
      defaultEditorToolsVisibility: "headers",
      shouldPersistHeaders: true,
    }),
  );
})();
