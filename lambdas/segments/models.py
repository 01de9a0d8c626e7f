"""Pydantic models of the read API's JSON responses (they generate the OpenAPI document)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ShotSegmentInfo(BaseModel):
    """Shot detection details."""

    Index: int = Field(ge=0)
    Confidence: float = Field(ge=0, le=100)


class TechnicalCueSegmentInfo(BaseModel):
    """Technical cue details."""

    Type: Literal["ColorBars", "EndCredits", "BlackFrames", "OpeningCredits", "StudioLogo", "Slate", "Content"]
    Confidence: float = Field(ge=0, le=100)


class SegmentDetection(BaseModel):
    """One segment, as GetSegmentDetection returns it."""

    Type: Literal["TECHNICAL_CUE", "SHOT"]
    StartTimestampMillis: int
    EndTimestampMillis: int
    DurationMillis: int = Field(ge=0)
    StartTimecodeSMPTE: str
    EndTimecodeSMPTE: str
    DurationSMPTE: str
    StartFrameNumber: int = Field(ge=0)
    EndFrameNumber: int = Field(ge=0)
    DurationFrames: int = Field(ge=0)
    ShotSegment: ShotSegmentInfo | None = None
    TechnicalCueSegment: TechnicalCueSegmentInfo | None = None


class FoundSegment(SegmentDetection):
    """A segment found by a search, with the video and job it belongs to."""

    videoId: str
    key: str
    jobId: str


class SearchResponse(BaseModel):
    """A page of a library-wide segment search."""

    Segments: list[FoundSegment]
    NextToken: str | None = Field(default=None, max_length=255)


class VideoMetadataInfo(BaseModel):
    """The analysed video stream."""

    Codec: str | None = None
    ColorRange: str | None = None
    DurationMillis: int | None = None
    Format: str | None = None
    FrameHeight: int | None = None
    FrameRate: float | None = None
    FrameWidth: int | None = None


class AudioMetadataInfo(BaseModel):
    """One audio stream."""

    Codec: str | None = None
    DurationMillis: int | None = None
    NumberOfChannels: int | None = None
    SampleRate: int | None = None


class SegmentTypeInfo(BaseModel):
    """A requested segment type and the model version that produced it."""

    Type: Literal["TECHNICAL_CUE", "SHOT"]
    ModelVersion: str


class SegmentsResponse(BaseModel):
    """The GetSegmentDetection response."""

    JobStatus: Literal["IN_PROGRESS", "SUCCEEDED", "FAILED"]
    StatusMessage: str | None = None
    VideoMetadata: list[VideoMetadataInfo]
    AudioMetadata: list[AudioMetadataInfo]
    SelectedSegmentTypes: list[SegmentTypeInfo]
    Segments: list[SegmentDetection]
    NextToken: str | None = Field(default=None, max_length=255)


class VideoSummary(BaseModel):
    """A video in listings."""

    videoId: str
    bucket: str
    key: str
    versionId: str
    status: str
    queued: bool
    statusMessage: str
    jobId: str
    source: str
    createdAt: str
    updatedAt: str


class VideosResponse(BaseModel):
    """A page of videos."""

    Videos: list[VideoSummary]
    NextToken: str | None = Field(default=None, max_length=255)


class VideoResponse(VideoSummary):
    """One video with its job's GetSegmentDetection header fields."""

    JobStatus: Literal["IN_PROGRESS", "SUCCEEDED", "FAILED"]
    StatusMessage: str | None = None
    VideoMetadata: list[VideoMetadataInfo]
    AudioMetadata: list[AudioMetadataInfo]
    SelectedSegmentTypes: list[SegmentTypeInfo]


class ErrorResponse(BaseModel):
    """Every error body."""

    code: str
    message: str


class ExportLocation(BaseModel):
    """The body of a 303: where an export too large to answer inline can be downloaded."""

    Location: str = Field(description="presigned GET URL of the export (also the Location header)")
