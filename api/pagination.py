from django import forms
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

from api.params import WholeNumberField, validate_params
from search.backends.base import PageTooDeep


class PageParams(forms.Form):
    page = forms.CharField(required=False)
    page_size = WholeNumberField(required=False, min_value=1)

    def clean_page(self) -> str | int:
        page = self.cleaned_data["page"].strip()
        if "page" not in self.data:
            return 1
        if page == "last":
            return page
        if not (page.isascii() and page.isdigit()) or int(page) < 1:  # "?page=", "¹" too
            raise forms.ValidationError('Enter a page number from 1, or "last".')
        return int(page)


class PageNumberPagination(pagination.PageNumberPagination):
    """Pages of ``page_size`` results (default 20; larger values than 100 give 100).

    A ``page`` or ``page_size`` that is not a whole number is an HTTP 400; a page past the
    last one is a 404; a page of quotes beyond the first 10,000 results is a 400.
    """

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def validate(self, request) -> None:
        """Check ``page`` and ``page_size``: a ValidationError (HTTP 400) names a bad one."""
        self.params = validate_params(PageParams, request.query_params)

    def paginate_queryset(self, queryset, request, view=None):
        if getattr(self, "params", None) is None:
            self.validate(request)
        try:
            return super().paginate_queryset(queryset, request, view)
        except PageTooDeep as error:
            raise ValidationError(
                {
                    "page": [
                        f"Only the first {error.args[0]:,} results can be paged through; "
                        "narrow the search with q or filters (said_after, speaker…)."
                    ]
                }
            ) from error

    def get_page_size(self, request) -> int:
        requested = self.params.get("page_size")
        return min(requested, self.max_page_size) if requested else self.page_size

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": "page",
                "required": False,
                "in": "query",
                "description": 'A page number from 1, or "last".',
                "schema": {
                    "oneOf": [
                        {"type": "integer", "minimum": 1},
                        {"type": "string", "enum": ["last"]},
                    ]
                },
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"Results per page (default {self.page_size}; larger values "
                f"than {self.max_page_size} give {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]

    def get_page_number(self, request, paginator):
        page = self.params["page"]
        return paginator.num_pages if page == "last" else page
