"""The viewer's infrastructure: private site behind CloudFront (OAC, HTTPS, headers), sign-in, thumbnails; nag clean."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match, Template

from infra.config import ConfigError
from tests.infra.conftest import synth

VIEWER = {"viewer": True, "apiAuth": "cognito", "cognitoScopes": "openid"}


@pytest.fixture(scope="module")
def viewer_stack() -> tuple[cdk.Stack, Template]:
    return synth(VIEWER)


@pytest.fixture(scope="module")
def viewer_template(viewer_stack: tuple[cdk.Stack, Template]) -> Template:
    return viewer_stack[1]


def resources(template: Template, kind: str) -> dict[str, Any]:
    return dict(template.find_resources(kind))


def test_cdk_nag_finds_nothing_unsuppressed_with_the_viewer(viewer_stack: tuple[cdk.Stack, Template]) -> None:
    errors = Annotations.from_stack(viewer_stack[0]).find_error("*", Match.string_like_regexp("AwsSolutions-.*"))
    assert [e.entry.data for e in errors] == []


def test_the_viewer_is_left_out_by_default(template: Template) -> None:
    assert resources(template, "AWS::CloudFront::Distribution") == {}
    assert resources(template, "AWS::Cognito::UserPool") == {}


def test_the_site_bucket_is_private_encrypted_tls_only_and_read_through_oac(viewer_template: Template) -> None:
    viewer_template.resource_count_is("AWS::CloudFront::OriginAccessControl", 1)
    site = next(r for name, r in resources(viewer_template, "AWS::S3::Bucket").items() if name.startswith("ViewerSite"))
    assert site["Properties"]["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert "BucketEncryption" in site["Properties"]
    policies = [
        p for name, p in resources(viewer_template, "AWS::S3::BucketPolicy").items() if name.startswith("ViewerSite")
    ]
    statements = policies[0]["Properties"]["PolicyDocument"]["Statement"]
    assert any(s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false" for s in statements)
    assert any(s.get("Principal", {}).get("Service") == "cloudfront.amazonaws.com" for s in statements)


def test_the_distribution_is_https_only_with_security_headers_and_routes_the_api(viewer_template: Template) -> None:
    dist = next(iter(resources(viewer_template, "AWS::CloudFront::Distribution").values()))["Properties"][
        "DistributionConfig"
    ]
    assert dist["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert {b["PathPattern"] for b in dist["CacheBehaviors"]} == {"/videos*", "/jobs/*", "/uploads", "/openapi.json"}
    assert all(b["ViewerProtocolPolicy"] == "https-only" for b in dist["CacheBehaviors"])
    assert dist["DefaultRootObject"] == "viewer/index.html"
    headers = next(iter(resources(viewer_template, "AWS::CloudFront::ResponseHeadersPolicy").values()))
    security = headers["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] == 365 * 86400
    assert "frame-ancestors 'none'" in str(security["ContentSecurityPolicy"]["ContentSecurityPolicy"])


def test_the_api_accepts_the_viewers_user_pool_on_every_method(viewer_template: Template) -> None:
    methods = [
        m["Properties"]
        for m in resources(viewer_template, "AWS::ApiGateway::Method").values()
        if m["Properties"]["HttpMethod"] != "OPTIONS"
    ]
    assert methods and all(m["AuthorizationType"] == "COGNITO_USER_POOLS" for m in methods)
    assert all(m["AuthorizationScopes"] == ["openid"] for m in methods)
    authorizer = next(iter(resources(viewer_template, "AWS::ApiGateway::Authorizer").values()))["Properties"]
    assert authorizer["ProviderARNs"] == [{"Fn::GetAtt": [Match.string_like_regexp("ViewerUsers"), "Arn"]}] or (
        "ViewerUsers" in str(authorizer["ProviderARNs"])
    )
    assert {"POST"} <= {m["HttpMethod"] for m in methods}


def test_the_user_pool_requires_mfa_and_strong_passwords_and_the_client_uses_pkce(viewer_template: Template) -> None:
    pool = next(iter(resources(viewer_template, "AWS::Cognito::UserPool").values()))["Properties"]
    assert pool["MfaConfiguration"] == "ON"
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] >= 12
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    client = next(iter(resources(viewer_template, "AWS::Cognito::UserPoolClient").values()))["Properties"]
    assert client["GenerateSecret"] is False and client["AllowedOAuthFlows"] == ["code"]


def test_thumbnails_run_in_the_container_on_succeeded_jobs_from_the_stream(viewer_template: Template) -> None:
    functions = [
        f["Properties"]
        for f in resources(viewer_template, "AWS::Lambda::Function").values()
        if f["Properties"].get("ImageConfig", {}).get("Command") == ["segments.handlers.thumbnails.handler"]
    ]
    assert len(functions) == 1
    mapping = next(iter(resources(viewer_template, "AWS::Lambda::EventSourceMapping").values()))["Properties"]
    if "FilterCriteria" not in mapping:  # the SQS mappings come first in some orders
        mapping = next(
            m["Properties"]
            for m in resources(viewer_template, "AWS::Lambda::EventSourceMapping").values()
            if "FilterCriteria" in m["Properties"] and "SUCCEEDED" in str(m["Properties"]["FilterCriteria"])
        )
    assert "SUCCEEDED" in str(mapping["FilterCriteria"]) and "JOB" in str(mapping["FilterCriteria"])
    assert "OnFailure" in str(mapping["DestinationConfig"])
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    table = next(iter(resources(viewer_template, "AWS::DynamoDB::Table").values()))["Properties"]
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}


def test_the_video_bucket_lets_cloudfront_pages_post_uploads(viewer_template: Template) -> None:
    videos = next(
        r for name, r in resources(viewer_template, "AWS::S3::Bucket").items() if name.startswith("StorageVideos")
    )
    rules = videos["Properties"]["CorsConfiguration"]["CorsRules"]
    assert rules[0]["AllowedMethods"] == ["POST", "GET", "HEAD"]
    assert rules[0]["AllowedOrigins"] == ["https://*.cloudfront.net"]


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"viewer": True}, "viewer=true needs apiAuth=cognito"),
        ({"viewer": True, "apiAuth": "cognito", "cognitoScopes": "admin/write"}, "cognitoScopes must be among"),
    ],
)
def test_an_incompatible_viewer_combination_fails_synth(context: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        synth(context)
