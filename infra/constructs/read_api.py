"""REST API serving stored results in the GetSegmentDetection shape; IAM, API-key or Cognito auth."""

from __future__ import annotations

import re
from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from cdk_nag import NagSuppressions
from constructs import Construct

from infra.config import Settings
from infra.constructs.function import PipelineFunction
from infra.constructs.shared import log_group
from infra.constructs.storage import Storage
from segments.settings import EXPORTS_PREFIX, UPLOAD_FOLDER, ApiSettings, MediaSettings

ROUTES = (
    "videos",
    "videos/{videoId}",
    "videos/{videoId}/segments",
    "jobs/{jobId}/segments",
    "segments",
    "openapi.json",
    "videos/{videoId}/thumbnails",
    "videos/{videoId}/playback",
)
POST_ROUTES = ("uploads",)  # presigned upload forms (segments.handlers.media_routes)
STAGE = "v1"
API_TIMEOUT = Duration.seconds(29)  # API Gateway's integration limit
# Why no Cognito user pool authorizer (AwsSolutions-COG4), per auth mode that has none.
NO_USER_POOL_REASON = {
    "iam": "apiAuth=iam: every method is IAM-authorised (SigV4), so callers are IAM principals with "
    "execute-api:Invoke, not Cognito users; apiAuth=cognito switches to a user pool.",
    "apiKey": "apiAuth=apiKey, the deployer's choice: methods require a usage-plan API key instead of a user "
    "pool; apiAuth=cognito switches to a user pool.",
}


class ReadApi(Construct):
    """One Lambda behind every route; read-only on the table; auth per configuration."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        storage: Storage,
        user_pool: cognito.IUserPool | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = user_pool
        self.pagination_secret = self._build_pagination_secret()
        self.handler = self._build_handler(settings=settings, storage=storage)
        self.api = self._build_rest_api(settings=settings)
        self._build_error_bodies()
        self._build_routes(settings=settings)
        self._suppress_findings(settings=settings)

    def _build_pagination_secret(self) -> secretsmanager.Secret:
        secret = secretsmanager.Secret(
            self,
            "PaginationKey",
            description="HMAC key that makes NextToken values tamper-evident",
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True),
        )
        NagSuppressions.add_resource_suppressions(
            secret,
            [
                {
                    "id": "AwsSolutions-SMG4",
                    "reason": "Rotating the HMAC key only invalidates outstanding NextTokens (clients restart "
                    "paging); rotate it by hand with put-secret-value when needed.",
                }
            ],
        )
        return secret

    def _build_handler(self, *, settings: Settings, storage: Storage) -> PipelineFunction:
        handler = PipelineFunction(
            self,
            "Handler",
            settings=settings,
            handler_module="api",
            environment={
                **ApiSettings(
                    table_name=storage.table.table_name, pagination_secret_arn=self.pagination_secret.secret_arn
                ).environment(),
                **MediaSettings(
                    bucket_name=storage.bucket.bucket_name,
                    video_suffixes=settings.video_suffixes,
                    video_prefix=settings.video_prefix,
                ).environment(),
            },
            timeout=API_TIMEOUT,
            memory_size=1024,
            description="Read API: videos, jobs and segments in the GetSegmentDetection shape",
        )
        storage.grant_table_read(handler.function)
        self.pagination_secret.grant_read(handler.function)
        # Presigned URLs carry the function's own permissions: read videos and thumbnails, put new uploads.
        handler.function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:GetObjectVersion"], resources=[storage.bucket.arn_for_objects("*")]
            )
        )
        # Uploads through presigned forms are encrypted with the data key under the signer's identity.
        storage.key.grant_encrypt_decrypt(handler.function)
        uploads = f"{settings.video_prefix}{UPLOAD_FOLDER}"
        handler.function.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:PutObject"], resources=[storage.bucket.arn_for_objects(f"{uploads}*")])
        )
        # Exports too large for a response are written under their own prefix (expired after a day).
        handler.function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject"], resources=[storage.bucket.arn_for_objects(f"{EXPORTS_PREFIX}*")]
            )
        )
        upload_pattern = re.escape(uploads).replace("/", "\\/")  # inside a /regex/ literal
        export_pattern = re.escape(EXPORTS_PREFIX).replace("/", "\\/")
        assert handler.function.role is not None
        NagSuppressions.add_resource_suppressions(
            handler.function.role,
            [
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "Presigned upload forms are signed with this function's role: it may put new objects "
                    "under the uploads folder only (each form's policy then fixes one key and a size range).",
                    "appliesTo": [{"regex": f"/^Resource::<StorageVideos[0-9A-F]+\\.Arn>\\/{upload_pattern}\\*$/g"}],
                },
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "Exports larger than a Lambda response are written by this function under the exports "
                    "prefix only, one key per job, filters and format; a 1-day lifecycle rule expires them.",
                    "appliesTo": [{"regex": f"/^Resource::<StorageVideos[0-9A-F]+\\.Arn>\\/{export_pattern}\\*$/g"}],
                },
            ],
            apply_to_children=True,
        )
        return handler

    def _build_rest_api(self, *, settings: Settings) -> apigw.RestApi:
        return apigw.RestApi(
            self,
            "Api",
            description="Segment detection results (GetSegmentDetection-compatible)",
            # API Gateway has one logging role per account and region, shared by every API in it: deleting
            # this stack must not take it (and every other API's logs) away, so it is retained.
            cloud_watch_role=settings.api_gateway_cloud_watch_role,
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN if settings.api_gateway_cloud_watch_role else None,
            deploy_options=apigw.StageOptions(
                stage_name=STAGE,
                throttling_rate_limit=settings.api_throttle_rate,
                throttling_burst_limit=settings.api_throttle_burst,
                tracing_enabled=True,
                logging_level=apigw.MethodLoggingLevel.ERROR,
                access_log_destination=apigw.LogGroupLogDestination(log_group(self, "AccessLogs", settings=settings)),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=True,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
            ),
            endpoint_types=[apigw.EndpointType.REGIONAL],
        )

    def _build_error_bodies(self) -> None:
        """Errors API Gateway answers itself (throttling, auth, request validation, integration)
        carry the same ``{"code", "message"}`` body, with Rekognition's names, as the handler's."""
        body = '{"code":"%s","message":$context.error.messageString}'
        for response_id, kind, status, code in (
            ("Throttled", apigw.ResponseType.THROTTLED, "429", "ThrottlingException"),
            ("QuotaExceeded", apigw.ResponseType.QUOTA_EXCEEDED, "429", "ThrottlingException"),
            ("BadParameters", apigw.ResponseType.BAD_REQUEST_PARAMETERS, "400", "InvalidParameterException"),
            ("AccessDenied", apigw.ResponseType.ACCESS_DENIED, "403", "AccessDeniedException"),
            ("Unsigned", apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, "403", "AccessDeniedException"),
            ("Default4xx", apigw.ResponseType.DEFAULT_4_XX, None, "$context.error.responseType"),
            ("Default5xx", apigw.ResponseType.DEFAULT_5_XX, None, "InternalServerError"),
        ):
            self.api.add_gateway_response(
                response_id, type=kind, status_code=status, templates={"application/json": body % code}
            )

    def _build_routes(self, *, settings: Settings) -> None:
        validator = self.api.add_request_validator(
            "Params", validate_request_parameters=True, validate_request_body=True
        )
        integration = apigw.LambdaIntegration(self.handler.function, proxy=True)
        method_options = self._method_options(settings)
        routes = [("GET", route) for route in ROUTES] + [("POST", route) for route in POST_ROUTES]
        # Any other method on a route reaches the handler, which answers 405 with Allow; without it
        # API Gateway itself would answer 403 MissingAuthenticationToken, as for an unknown path.
        routes += [("ANY", route) for route in dict.fromkeys([*ROUTES, *POST_ROUTES])]
        for http_method, route in routes:
            resource = self.api.root.resource_for_path(route)
            method = resource.add_method(http_method, integration, request_validator=validator, **method_options)
            if settings.api_auth == "apiKey":
                NagSuppressions.add_resource_suppressions(
                    method,
                    [
                        {
                            "id": "AwsSolutions-APIG4",
                            "reason": "apiAuth=apiKey, the deployer's choice: API Gateway admits only requests that "
                            "carry a key of this API's usage plan (x-api-key). Keys identify and throttle callers "
                            "rather than authorise them; the README says so and offers iam or cognito instead.",
                        }
                    ],
                )

    def _method_options(self, settings: Settings) -> dict[str, Any]:
        """Authorization options for every method: IAM (default), API key or Cognito."""
        if settings.api_auth == "apiKey":
            plan = self.api.add_usage_plan(
                "Plan",
                throttle=apigw.ThrottleSettings(
                    rate_limit=settings.api_throttle_rate, burst_limit=settings.api_throttle_burst
                ),
            )
            plan.add_api_stage(stage=self.api.deployment_stage)
            plan.add_api_key(self.api.add_api_key("Key"))
            return {"api_key_required": True, "authorization_type": apigw.AuthorizationType.NONE}
        if settings.api_auth == "cognito":
            pool = self.user_pool or cognito.UserPool.from_user_pool_arn(self, "Users", settings.cognito_user_pool_arn)
            authorizer = apigw.CognitoUserPoolsAuthorizer(self, "Authorizer", cognito_user_pools=[pool])
            return {
                "authorizer": authorizer,
                "authorization_type": apigw.AuthorizationType.COGNITO,
                # Scopes make the authorizer take access tokens (what the viewer sends), not ID tokens.
                "authorization_scopes": list(settings.cognito_scopes),
            }
        return {"authorization_type": apigw.AuthorizationType.IAM}

    def _suppress_findings(self, *, settings: Settings) -> None:
        """Suppressions whose reasons hold for the configured auth mode (and only the ones it needs)."""
        suppressions: list[dict[str, Any]] = [
            {
                "id": "AwsSolutions-APIG3",
                "reason": "A regional WAF web ACL (its rules and cost) is the account owner's choice; the stage is "
                "throttled and every method authenticated. Attach a web ACL to the v1 stage for public callers.",
            }
        ]
        if settings.api_auth in NO_USER_POOL_REASON:
            suppressions.append({"id": "AwsSolutions-COG4", "reason": NO_USER_POOL_REASON[settings.api_auth]})
        if settings.api_gateway_cloud_watch_role:
            suppressions.append(
                {
                    "id": "AwsSolutions-IAM4",
                    "reason": "API Gateway's account logging role is defined by AWS with the managed policy "
                    "AmazonAPIGatewayPushToCloudWatchLogs, which writes the stage's execution and access logs.",
                    "appliesTo": [
                        "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
                    ],
                }
            )
        NagSuppressions.add_resource_suppressions(self.api, suppressions, apply_to_children=True)
