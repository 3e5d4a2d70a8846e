// The customer's side of an invitation: accept it with the tenant id (no sign-in; the token is the credential).
(function () {
  var form = document.getElementById("accept");
  var out = document.getElementById("result");
  var token = new URLSearchParams(window.location.search).get("token") || "";
  if (!token) out.textContent = "This link has no invitation token; ask the partner for the full link.";
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    out.textContent = "Accepting…";
    var tenantId = document.getElementById("tenant").value.trim();
    fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query:
          "mutation($input: RelationshipRequestAcceptInput!) { relationshipRequestAccept(input: $input) { relationshipRequest { id status } customer { id tenantId companyName } userErrors { field code message } } }",
        variables: { input: { invitationToken: token, customerTenantId: tenantId } },
      }),
    })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        var payload = body.data && body.data.relationshipRequestAccept;
        if (!payload) out.textContent = (body.errors && body.errors[0] && body.errors[0].message) || "The server did not answer.";
        else if (payload.userErrors.length) out.textContent = payload.userErrors.map(function (e) { return e.code + ": " + e.message; }).join("\n");
        else out.textContent = "Accepted: " + payload.customer.companyName + " now works with this partner.";
        out.setAttribute("data-state", payload && !payload.userErrors.length ? "accepted" : "refused");
      })
      .catch(function (error) { out.textContent = String(error); });
  });
})();
