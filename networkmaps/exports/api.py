"""GET /api/v1/programs/<slug>/exports/<format>/: the staff exports page's files, for analysts."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.decorators import api_view, content_negotiation_class
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response

from members.access import STAFF, program_for_user
from networkmaps.exports import formats
from networkmaps.exports.views import file_response


class FileNegotiation(BaseContentNegotiation):
    """The file's type is set by the format in the URL, whatever the client says it accepts;
    errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


_FILE_TYPES = sorted({f.content_type for f in formats.FORMATS.values()} - {"application/json"})
KUMU_BLUEPRINT = inline_serializer(
    "KumuBlueprint",
    fields={
        "elements": serializers.ListField(child=serializers.DictField()),
        "connections": serializers.ListField(child=serializers.DictField()),
    },
)


@extend_schema(
    summary="Download a round as GEXF, GraphML, Kumu or CSV",
    parameters=[
        OpenApiParameter(
            "file_format",
            str,
            OpenApiParameter.PATH,
            enum=list(formats.FORMATS),
            description="; ".join(f"`{f.key}`: {f.label}" for f in formats.FORMATS.values()),
        ),
        OpenApiParameter(
            "round", str, description="The round's name (default: the current round)."
        ),
        OpenApiParameter(
            "anonymised",
            bool,
            description="Leave out names, emails, organisations and job titles; number "
            "members afresh.",
        ),
    ],
    responses={
        **{(200, content_type): OpenApiTypes.BINARY for content_type in _FILE_TYPES},
        (200, "application/json"): KUMU_BLUEPRINT,
        (400, "application/json"): OpenApiResponse(
            OpenApiTypes.OBJECT, description="No such round."
        ),
        (404, "application/json"): OpenApiResponse(
            OpenApiTypes.OBJECT, description="No such program or format."
        ),
    },
)
@api_view(["GET"])
@content_negotiation_class(FileNegotiation)
def program_export(request, slug, file_format):
    program = program_for_user(request, slug, roles=STAFF)
    if file_format not in formats.FORMATS:
        return Response({"detail": f"No export format “{file_format}”."}, status=404)
    name = request.query_params.get("round")
    round_ = formats.export_round(program=program, name=name)
    if round_ is None:
        message = f"No round named “{name}”." if name else "This program has no rounds yet."
        return Response({"round": [message]}, status=400)
    file = formats.export_build(
        program=program,
        round_=round_,
        fmt=file_format,
        anonymised=request.query_params.get("anonymised", "").lower() in {"1", "true", "yes"},
        user=request.user,
    )
    return file_response(file)
