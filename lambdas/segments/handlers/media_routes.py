"""Viewer routes: a video's thumbnails and playback URL, and presigned uploads (all URLs short-lived)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel, Field

from segments import reads
from segments.adapters.media import MediaBucket
from segments.adapters.store import SegmentStore
from segments.domain import keys
from segments.domain.query import InvalidParameter
from segments.domain.records import VideoRecord
from segments.models import ErrorResponse
from segments.settings import UPLOAD_FOLDER, api_settings, media_settings
from thumbnails.plan import manifest_key

router = APIGatewayRouter()  # type: ignore[no-untyped-call]

VIDEO_ID = r"^[A-Za-z0-9_-]+$"
VideoId = Annotated[str, Path(min_length=1, max_length=2048, pattern=VIDEO_ID)]
ERRORS: dict[int, Any] = {
    status: {"description": text, "content": {"application/json": {"model": ErrorResponse}}}
    for status, text in (
        (400, "InvalidParameterException"),
        (404, "ResourceNotFoundException"),
        (429, "ThrottlingException"),
        (500, "InternalServerError"),
    )
}


def _media() -> MediaBucket:
    return MediaBucket(media_settings().bucket_name)


def _video(video_id: str) -> VideoRecord:
    try:
        keys.key_for_video_id(video_id)
    except ValueError as exc:
        raise reads.NotFound(f"no video with id {video_id}") from exc
    video = SegmentStore(api_settings().table_name).get_video(video_id)
    if video is None:
        raise reads.NotFound(f"no video with id {video_id}")
    return video


class ThumbnailInfo(BaseModel):
    """One shot's thumbnail."""

    Index: int = Field(description="ShotSegment.Index")
    FrameNumber: int = Field(description="frame shown (inside the shot)")
    Url: str = Field(description="presigned GET, valid ExpiresInSeconds")
    Sheet: int = Field(description="sprite sheet holding the shot's tile")
    Slot: int = Field(description="tile position in the sheet, row-major")


class ThumbnailsResponse(BaseModel):
    """A video's thumbnails; Status PENDING until the step ran, FAILED with the reason."""

    VideoId: str
    JobId: str
    Status: str = Field(description="PENDING, SUCCEEDED or FAILED")
    StatusMessage: str = ""
    ExpiresInSeconds: int
    Width: int = 0
    Height: int = 0
    TileWidth: int = 0
    TileHeight: int = 0
    SheetTiles: int = 0
    SheetColumns: int = 0
    Thumbnails: list[ThumbnailInfo]
    Sprites: list[str] = Field(description="presigned GETs of the sprite sheets, in order")


class PlaybackResponse(BaseModel):
    """A presigned URL that plays the analysed version of the video."""

    VideoId: str
    Url: str
    ExpiresInSeconds: int


class UploadRequest(BaseModel):
    """The file the browser is about to upload."""

    filename: str = Field(min_length=1, max_length=512, description="file name; its suffix must be a video suffix")
    size: int = Field(ge=1, description="bytes")


class UploadResponse(BaseModel):
    """A presigned POST: send ``Fields`` plus the file (last) as multipart/form-data to ``Url``."""

    Key: str
    VideoId: str
    Url: str
    Fields: dict[str, str]
    MaxBytes: int
    ExpiresInSeconds: int


def _ok(body: dict[str, Any]) -> Response[Any]:
    return Response(status_code=200, content_type="application/json", body=body)


@router.get(
    "/videos/<videoId>/thumbnails",
    summary="A video's shot thumbnails and sprite sheets (presigned, short-lived)",
    responses={
        **ERRORS,
        200: {"description": "thumbnails", "content": {"application/json": {"model": ThumbnailsResponse}}},
    },
)
def video_thumbnails(videoId: VideoId) -> Response[Any]:
    """Shot index → presigned URL of its thumbnail, for the job that serves the video."""
    video = _video(videoId)
    job_id = video.job_id
    cfg = media_settings()
    body: dict[str, Any] = {"VideoId": videoId, "JobId": job_id, "Status": "PENDING", "StatusMessage": ""}
    body |= {"ExpiresInSeconds": cfg.media_url_seconds, "Thumbnails": [], "Sprites": []}
    media = _media()
    manifest = media.get_json(manifest_key(videoId, job_id)) if job_id else None
    if manifest is None:
        return _ok(body)
    body["Status"], body["StatusMessage"] = manifest["status"], manifest.get("message", "")
    for name, field in (("Width", "width"), ("Height", "height"), ("TileWidth", "tileWidth")):
        body[name] = int(manifest.get(field, 0))
    for name, field in (("TileHeight", "tileHeight"), ("SheetTiles", "sheetTiles"), ("SheetColumns", "sheetColumns")):
        body[name] = int(manifest.get(field, 0))
    body["Thumbnails"] = [
        {
            "Index": int(s["index"]),
            "FrameNumber": int(s["frame"]),
            "Url": media.presign_get(s["key"], cfg.media_url_seconds),
            "Sheet": int(s["sheet"]),
            "Slot": int(s["slot"]),
        }
        for s in manifest.get("shots", [])
    ]
    body["Sprites"] = [media.presign_get(k, cfg.media_url_seconds) for k in manifest.get("sprites", [])]
    return _ok(body)


@router.get(
    "/videos/<videoId>/playback",
    summary="A presigned URL that plays the video (short-lived)",
    responses={
        **ERRORS,
        200: {"description": "playback URL", "content": {"application/json": {"model": PlaybackResponse}}},
    },
)
def video_playback(videoId: VideoId) -> Response[Any]:
    """A GET URL for the object version the video's results describe."""
    video = _video(videoId)
    cfg = media_settings()
    url = _media().presign_get(
        video.key or keys.key_for_video_id(videoId), cfg.media_url_seconds, video.version_id or None
    )
    return _ok({"VideoId": videoId, "Url": url, "ExpiresInSeconds": cfg.media_url_seconds})


def upload_key(filename: str, prefix: str, suffixes: tuple[str, ...]) -> str:
    """The S3 key for an uploaded file name; InvalidParameter unless its suffix starts a job."""
    name = re.sub(r"[^\w. -]+", "_", filename.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not name or suffix not in suffixes:
        raise InvalidParameter(f"filename must end in one of .{', .'.join(suffixes)}")
    return f"{prefix}{UPLOAD_FOLDER}{name}"


@router.post(
    "/uploads",
    summary="A presigned POST that uploads one video (size and key enforced by S3)",
    responses={
        **ERRORS,
        200: {"description": "upload form", "content": {"application/json": {"model": UploadResponse}}},
    },
)
def create_upload(request: Annotated[UploadRequest, Body()]) -> Response[Any]:
    """A form for one new object: the key (hence the suffix) and the size range are conditions of its policy."""
    cfg = media_settings()
    key = upload_key(request.filename, cfg.video_prefix, cfg.video_suffixes)
    if request.size > cfg.upload_max_bytes:
        raise InvalidParameter(f"size must be at most {cfg.upload_max_bytes} bytes, got {request.size}")
    form = _media().presign_upload(key, cfg.upload_max_bytes, cfg.upload_url_seconds)
    return _ok(
        {
            "Key": key,
            "VideoId": keys.video_id_for_key(key),
            "Url": form["url"],
            "Fields": form["fields"],
            "MaxBytes": cfg.upload_max_bytes,
            "ExpiresInSeconds": cfg.upload_url_seconds,
        }
    )
