from django.urls import path
from rest_framework.routers import DefaultRouter

from alerts.api import AlertSignupView
from api import views
from api.popolo import PopoloView
from intake.api import IntakeView

app_name = "api"

router = DefaultRouter()
router.register("quotes", views.QuoteViewSet, basename="quote")
router.register("speakers", views.SpeakerViewSet, basename="speaker")
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("sources", views.SourceViewSet, basename="source")
router.register("topics", views.TopicViewSet, basename="topic")
router.register("occasions", views.OccasionViewSet, basename="occasion")

urlpatterns = [
    path("popolo.json", PopoloView.as_view(), name="popolo"),
    *router.urls,
    path("intake/", IntakeView.as_view(), name="intake"),
    path("alerts/", AlertSignupView.as_view(), name="alerts"),
]
