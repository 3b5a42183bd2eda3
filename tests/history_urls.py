"""A stand-in API endpoint, to check that token-authenticated writes are attributed."""

from django.urls import path
from rest_framework.authentication import TokenAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from quotes.models import Quote


class QuoteContextView(APIView):
    authentication_classes = [TokenAuthentication]

    def post(self, request, pk: int) -> Response:
        Quote.objects.filter(pk=pk).update(context=request.data["context"])
        return Response({"ok": True})


urlpatterns = [path("probe/<int:pk>/", QuoteContextView.as_view())]
