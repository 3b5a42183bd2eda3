"""The OpenAPI schema, the interactive docs and the browsable API."""

import json
import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from openapi_spec_validator import validate

from quotes.models import Quote
from tests.factories import QuoteFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/v1/alerts/": {"post"},
    "/api/v1/quotes/": {"get", "post"},
    "/api/v1/quotes/{key}/": {"get", "put", "patch", "delete"},
    "/api/v1/quotes/facets/": {"get"},
    "/api/v1/speakers/": {"get", "post"},
    "/api/v1/speakers/{key}/": {"get", "put", "patch", "delete"},
    "/api/v1/organizations/": {"get", "post"},
    "/api/v1/organizations/{key}/": {"get", "put", "patch", "delete"},
    "/api/v1/sources/": {"get", "post"},
    "/api/v1/sources/{key}/": {"get", "put", "patch", "delete"},
    "/api/v1/topics/": {"get", "post"},
    "/api/v1/topics/{key}/": {"get", "put", "patch", "delete"},
    "/api/v1/quotes/{key}/history/": {"get"},
    "/api/v1/quotes/{key}/similar/": {"get"},
    "/api/v1/quotes/{key}/lineage/": {"get", "post"},
    "/api/v1/occasions/{key}/accounts/": {"get"},
    "/api/v1/quotes/{key}/merge/": {"post"},
    "/api/v1/quotes/{key}/revisions/": {"get"},
    "/api/v1/quotes/{key}/revisions/{revision_id}/accept/": {"post"},
    "/api/v1/quotes/{key}/revisions/{revision_id}/reject/": {"post"},
    "/api/v1/quotes/{key}/citations/{source}/verification/": {"post", "delete"},
    "/api/v1/speakers/{key}/merge/": {"post"},
    "/api/v1/speakers/{key}/history/": {"get"},
    "/api/v1/organizations/{key}/history/": {"get"},
    "/api/v1/sources/{key}/history/": {"get"},
    "/api/v1/sources/{key}/captures/{capture_id}/": {"get"},
    "/api/v1/sources/{key}/captures/{capture_id}/warc/": {"get"},
    "/api/v1/occasions/": {"get", "post"},
    "/api/v1/occasions/{key}/": {"get", "put", "patch", "delete"},
    "/api/v1/occasions/{key}/history/": {"get"},
    "/api/v1/occasions/{key}/merge/": {"post"},
    "/api/v1/popolo.json": {"get"},
    "/api/v1/intake/": {"post"},
}


def test_schema_passes_drf_spectacular_validation_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    assert {path: set(ops) - {"parameters"} for path, ops in schema["paths"].items()} == ENDPOINTS


def test_schema_documents_the_search_parameters_and_fields(client):
    schema = json.loads(client.get("/api/schema/?format=json").content)
    listing = schema["paths"]["/api/v1/quotes/"]["get"]
    names = {parameter["name"] for parameter in listing["parameters"]}
    assert names >= {
        "q",
        "speaker",
        "organization",
        "country",
        "topic",
        "language",
        "kind",
        "said_after",
        "said_before",
        "source",
        "status",
        "ordering",
        "page",
        "page_size",
        "format",
        "formula_guard",
        "table",
    }
    facet_names = {
        p["name"] for p in schema["paths"]["/api/v1/quotes/facets/"]["get"]["parameters"]
    }
    assert facet_names >= {"q", "speaker", "said_after", "facet_limit"}
    quote = schema["components"]["schemas"]["Quote"]["properties"]
    assert {"key", "text", "said", "speaker", "role", "highlight", "rank", "url"} <= set(quote)


def test_schema_is_served_as_yaml_and_json(client):
    assert client.get("/api/schema/").status_code == 200
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert json.loads(response.content)["info"]["title"] == "OnRecord API"


def test_docs_are_served_with_their_own_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert assets
    for asset in assets:
        assert asset.startswith("/static/drf_spectacular_sidecar/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset
    assert "cdn" not in html.lower()


def test_browsable_api_stays_available(client):
    response = client.get("/api/v1/quotes/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert "text/html" in response["Content-Type"]
    assert "Quote List" in response.content.decode()


def test_schema_documents_etags_and_if_match(client):
    schema = json.loads(client.get("/api/schema/?format=json").content)
    record = schema["paths"]["/api/v1/quotes/{key}/"]
    assert "ETag" in record["get"]["responses"]["200"]["headers"]
    for method in ["put", "patch", "delete"]:
        operation = record[method]
        assert "If-Match" in {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        failed = operation["responses"]["412"]["content"]["application/json"]["schema"]
        assert failed == {"$ref": "#/components/schemas/PreconditionFailed"}
    assert "ETag" in record["patch"]["responses"]["200"]["headers"]
    assert "ETag" not in schema["paths"]["/api/v1/topics/{key}/"]["get"]["responses"]["200"].get(
        "headers", {}
    )


def test_schema_states_what_the_server_checks(client):
    schema = json.loads(client.get("/api/schema/?format=json").content)
    paths = schema["paths"]
    record = paths["/api/v1/quotes/{key}/"]
    (if_match,) = [p for p in record["patch"]["parameters"] if p["name"] == "If-Match"]
    pattern = re.compile(if_match["schema"]["pattern"])
    assert all(pattern.match(v) for v in ['"12"', "*", '"1", "2"', 'W/"x"'])
    assert not any(pattern.match(v) for v in ["12", '"1,2"', ", ".join(['"1"'] * 17)])
    topics = {p["name"]: p["schema"] for p in paths["/api/v1/topics/"]["get"]["parameters"]}
    assert topics["q"]["maxLength"] == 200
    kinds = {p["name"]: p["schema"] for p in paths["/api/v1/quotes/"]["get"]["parameters"]}
    assert "" in kinds["kind"]["enum"]
    body = schema["components"]["schemas"]["TopicRequest"]["properties"]
    assert body["name"]["minLength"] == 1
    intake = paths["/api/v1/intake/"]["post"]
    assert {"400", "401", "403", "413", "414", "429", "503"} <= set(intake["responses"])
    assert list(intake["requestBody"]["content"]) == ["application/json"]
    assert "503" in paths["/api/v1/popolo.json"]["get"]["responses"]
    revision = schema["components"]["schemas"]["Revision"]["properties"]
    assert revision["decided_by"]["nullable"] is True
    change = paths["/api/v1/quotes/{key}/"]["patch"]["responses"]["202"]
    assert change["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Revision"
    }


def test_schema_documents_the_history(client):
    schema = json.loads(client.get("/api/schema/?format=json").content)
    history = schema["paths"]["/api/v1/quotes/{key}/history/"]["get"]
    page = history["responses"]["200"]["content"]["application/json"]["schema"]
    assert page == {"$ref": "#/components/schemas/PaginatedHistoryEntryList"}
    assert {p["name"] for p in history["parameters"]} == {"key", "page", "page_size"}
    entry = schema["components"]["schemas"]["HistoryEntry"]["properties"]
    assert {"version", "at", "user", "action", "changes"} <= set(entry)
    change = schema["components"]["schemas"]["Change"]["properties"]
    assert {"part", "action", "fields"} <= set(change)


def test_schema_documents_similar_quotes(client):
    schema = json.loads(client.get("/api/schema/?format=json").content)
    similar = schema["paths"]["/api/v1/quotes/{key}/similar/"]["get"]
    body = similar["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"type": "array", "items": {"$ref": "#/components/schemas/SimilarQuote"}}
    assert {p["name"] for p in similar["parameters"]} == {"key", "limit"}
    assert "score" in schema["components"]["schemas"]["SimilarQuote"]["properties"]


def test_schema_documents_merges_and_the_redirects_of_merged_keys(client):
    schema = json.loads(client.get("/api/schema/?format=json").content)
    paths = schema["paths"]
    merge = paths["/api/v1/quotes/{key}/merge/"]["post"]
    body = merge["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/MergeRequest"}
    assert {"200", "412"} <= set(merge["responses"])
    for path in [
        "/api/v1/quotes/{key}/",
        "/api/v1/speakers/{key}/",
        "/api/v1/quotes/{key}/history/",
    ]:
        assert "301" in paths[path]["get"]["responses"]
    assert "308" in paths["/api/v1/quotes/{key}/"]["patch"]["responses"]
    assert "301" in paths["/api/v1/organizations/{key}/"]["get"]["responses"]
    assert "301" not in paths["/api/v1/topics/{key}/"]["get"]["responses"]


def test_schema_is_valid_openapi_for_openapi_spec_validator(client):
    schema = json.loads(client.get("/api/schema/?format=json").content)
    validate(schema)  # raises on the first error


def test_issue17_defect_10_the_intake_request_is_three_typed_alternatives(client):
    schema = json.loads(client.get("/api/schema/?format=json").content)
    components = schema["components"]["schemas"]
    body = schema["paths"]["/api/v1/intake/"]["post"]["requestBody"]
    assert body["required"] is True
    report = components[body["content"]["application/json"]["schema"]["$ref"].split("/")[-1]]
    alternatives = [ref["$ref"].split("/")[-1] for ref in report["oneOf"]]
    assert alternatives == ["IntakeTextRequest", "IntakeHtmlRequest", "IntakeUrlRequest"]
    for name, given in zip(alternatives, ["text", "html", "url"], strict=True):
        alternative = components[name]
        assert alternative["required"] == [given]
        assert set(alternative["properties"]) == {
            given,
            "title",
            "publisher",
            "published",
            "language",
        }


def test_issue17_defect_10_downloads_have_their_media_types_and_errors_are_json(client):
    schema = json.loads(client.get("/api/schema/?format=json").content)
    responses = schema["paths"]["/api/v1/quotes/"]["get"]["responses"]
    assert set(responses["200"]["content"]) == {
        "application/json",
        "text/csv",
        "application/x-ndjson",
    }
    assert responses["200"]["content"]["text/csv"]["schema"]["type"] == "string"
    errors = {code: response for code, response in responses.items() if code.startswith("4")}
    assert {"400", "401", "403", "404"} <= set(errors)
    for code, response in errors.items():
        assert set(response.get("content", {"application/json": None})) == {"application/json"}, (
            code
        )


def test_issue17_defect_10_patch_bodies_are_required(client):
    schema = json.loads(client.get("/api/schema/?format=json").content)
    patches = [ops["patch"] for ops in schema["paths"].values() if "patch" in ops]
    assert len(patches) == 6
    assert all(patch["requestBody"]["required"] is True for patch in patches)


def test_a_patch_without_a_body_is_a_400(reviewer_api):
    draft = QuoteFactory(status=Quote.Status.DRAFT)
    response = reviewer_api.patch(f"/api/v1/quotes/{draft.key}/")
    assert response.status_code == 400
    assert "body" in response.json()["detail"]
    empty = reviewer_api.patch(f"/api/v1/quotes/{draft.key}/", {}, format="json")
    assert empty.status_code == 200, empty.json()
