"""The viewer: CloudFront (HTTPS, security headers) over a private bucket (OAC) and the API, Cognito sign-in,
and the thumbnail step (the fallback image, triggered by the table's stream when a job turns SUCCEEDED).

The page and the API share the distribution's origin (``/videos*``, ``/jobs/*``, ``/uploads`` go to the
API stage), so the browser makes no cross-origin API calls; only the presigned upload POST goes to the
video bucket, whose CORS rule admits CloudFront origins for it.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Aws, Duration, Fn, RemovalPolicy, Size
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagSuppressions
from constructs import Construct

from infra.config import Settings
from infra.constructs.shared import encrypted_queue, function_role, iam5_grant_wildcards, log_group
from infra.constructs.storage import Storage
from segments.settings import ThumbnailSettings, powertools_environment
from thumbnails.plan import PREFIX as THUMBNAIL_PREFIX

REPO_ROOT = Path(__file__).resolve().parents[2]
STATIC = REPO_ROOT / "lambdas" / "viewer" / "static"
DOCKERFILE = "lambdas/fallback_image/Dockerfile"
PAGE_PREFIX = "viewer/"  # the page's files in the site bucket; CloudFront's root object is its index.html
API_PATHS = ("/videos*", "/jobs/*", "/uploads", "/openapi.json")


class Viewer(Construct):
    """Sign-in (user pool), the site (bucket + distribution) and the thumbnail function."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings) -> None:
        super().__init__(scope, construct_id)
        self.settings = settings
        self.user_pool: cognito.IUserPool = (
            cognito.UserPool.from_user_pool_arn(self, "ExistingUsers", settings.cognito_user_pool_arn)
            if settings.cognito_user_pool_arn
            else self._build_user_pool()
        )

    # -- sign-in -------------------------------------------------------------------------------------------
    def _build_user_pool(self) -> cognito.UserPool:
        pool = cognito.UserPool(
            self,
            "Users",
            self_sign_up_enabled=False,  # an administrator invites people
            sign_in_aliases=cognito.SignInAliases(email=True),
            password_policy=cognito.PasswordPolicy(
                min_length=12, require_digits=True, require_lowercase=True, require_uppercase=True, require_symbols=True
            ),
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            removal_policy=RemovalPolicy.RETAIN if self.settings.retain_data else RemovalPolicy.DESTROY,
        )
        NagSuppressions.add_resource_suppressions(
            pool,
            [
                {
                    "id": "AwsSolutions-COG3",
                    "reason": "Threat protection needs the Plus feature plan (priced per user); MFA is required "
                    "and sign-up is by invitation only.",
                },
                {
                    "id": "AwsSolutions-COG8",
                    "reason": "The Plus feature plan is priced per user; MFA is required and sign-up is by "
                    "invitation only, which covers a small team of reviewers.",
                },
            ],
        )
        return pool

    def attach(self, *, storage: Storage, api: apigw.RestApi) -> None:
        """Build the site in front of ``api`` and the thumbnail step over ``storage``."""
        self.thumbnails = self._build_thumbnail_function(storage=storage)
        self.site = self._build_site_bucket(storage=storage)
        self.distribution = self._build_distribution(storage=storage, api=api)
        origin = f"https://{self.distribution.distribution_domain_name}"
        self.client, self.domain = self._build_client(origin)
        # The rule cannot name this distribution's domain: the bucket would then depend on the distribution,
        # which depends on the API, whose function's grants depend on the bucket's key. CORS only lets a page
        # read the answer; what may be uploaded is decided by the presigned POST policy (key and size).
        storage.bucket.add_cors_rule(
            allowed_origins=["https://*.cloudfront.net"],
            allowed_methods=[s3.HttpMethods.POST, s3.HttpMethods.GET, s3.HttpMethods.HEAD],
            allowed_headers=["*"],
            max_age=3000,
        )
        self._deploy_page(origin)

    def _build_client(self, origin: str) -> tuple[cognito.UserPoolClient, str]:
        scopes = {"openid": cognito.OAuthScope.OPENID, "email": cognito.OAuthScope.EMAIL}
        scopes["profile"] = cognito.OAuthScope.PROFILE
        client = cognito.UserPoolClient(
            self,
            "PageClient",
            user_pool=self.user_pool,
            generate_secret=False,  # a browser page keeps no secret: authorization code with PKCE
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[scopes[s] for s in sorted({"openid", *self.settings.cognito_scopes}) if s in scopes],
                callback_urls=[f"{origin}/"],
                logout_urls=[f"{origin}/"],
            ),
            access_token_validity=Duration.hours(1),
            id_token_validity=Duration.hours(1),
            prevent_user_existence_errors=True,
        )
        if isinstance(self.user_pool, cognito.UserPool):
            prefix = self.settings.viewer_domain_prefix or Fn.join("-", ["segments-viewer", Aws.ACCOUNT_ID])
            domain = self.user_pool.add_domain(
                "SignIn", cognito_domain=cognito.CognitoDomainOptions(domain_prefix=prefix)
            )
            return client, domain.base_url()
        # An existing pool brings its own hosted sign-in domain; the page reads it from config.json.
        return client, f"https://{self.settings.viewer_domain_prefix}.auth.{Aws.REGION}.amazoncognito.com"

    # -- the page ------------------------------------------------------------------------------------------
    def _build_site_bucket(self, *, storage: Storage) -> s3.Bucket:
        return s3.Bucket(
            self,
            "Site",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=storage.access_logs,
            server_access_logs_prefix="viewer-site/",
            lifecycle_rules=[s3.LifecycleRule(abort_incomplete_multipart_upload_after=Duration.days(1))],
            removal_policy=RemovalPolicy.DESTROY,
            auto_delete_objects=False,
        )

    def _security_headers(self) -> cloudfront.ResponseHeadersPolicy:
        # Any bucket's virtual-hosted name: naming the video bucket here would make the bucket's CORS rule
        # (which names the distribution) and the distribution depend on each other.
        media = f"https://*.s3.amazonaws.com https://*.s3.{Aws.REGION}.amazonaws.com"
        csp = (
            f"default-src 'self'; img-src 'self' blob: data: {media}; media-src 'self' blob: {media}; "
            f"connect-src 'self' {media} https://*.amazoncognito.com; style-src 'self' 'unsafe-inline'; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self' https://*.amazoncognito.com; "
            "object-src 'none'"
        )
        return cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=csp, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True, override=True
                ),
                xss_protection=cloudfront.ResponseHeadersXSSProtection(protection=True, mode_block=True, override=True),
            ),
        )

    def _build_distribution(self, *, storage: Storage, api: apigw.RestApi) -> cloudfront.Distribution:
        headers = self._security_headers()
        api_origin = origins.RestApiOrigin(api)
        api_behavior = cloudfront.BehaviorOptions(
            origin=api_origin,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            # Everything but Host, so the Authorization header and the query string reach API Gateway.
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            response_headers_policy=headers,
        )
        logs = s3.Bucket(
            self,
            "DistributionLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            # CloudFront standard logs are written with an ACL, which needs object writer ownership.
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=Duration.days(365), abort_incomplete_multipart_upload_after=Duration.days(1)
                )
            ],
            removal_policy=RemovalPolicy.DESTROY,
        )
        NagSuppressions.add_resource_suppressions(
            logs,
            [{"id": "AwsSolutions-S1", "reason": "This bucket holds CloudFront's access logs; logging it would loop."}],
        )
        distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Segments viewer",
            default_root_object=f"{PAGE_PREFIX}index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.site),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
            ),
            additional_behaviors=dict.fromkeys(API_PATHS, api_behavior),
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            enable_logging=True,
            log_bucket=logs,
            log_file_prefix="distribution/",
        )
        NagSuppressions.add_resource_suppressions(
            distribution,
            [
                {"id": "AwsSolutions-CFR1", "reason": "Who may sign in is decided by the user pool, not by country."},
                {
                    "id": "AwsSolutions-CFR2",
                    "reason": "A WAF web ACL is an account-level choice; every request past the static page "
                    "needs a Cognito token.",
                },
                {
                    "id": "AwsSolutions-CFR4",
                    "reason": "The default *.cloudfront.net certificate allows TLSv1 at the viewer; attach a custom "
                    "domain and certificate to enforce TLSv1.2_2021 (already requested above).",
                },
            ],
        )
        return distribution

    def _deploy_page(self, origin: str) -> None:
        config = {
            "apiUrl": "",  # same origin: CloudFront routes the API paths to the stage
            "auth": {
                "domain": self.domain,
                "clientId": self.client.user_pool_client_id,
                "redirectUri": f"{origin}/",
                "scopes": sorted({"openid", *self.settings.cognito_scopes}),
            },
        }
        deployment = s3deploy.BucketDeployment(
            self,
            "Page",
            sources=[s3deploy.Source.asset(str(STATIC)), s3deploy.Source.json_data("config.json", config)],
            destination_bucket=self.site,
            destination_key_prefix=PAGE_PREFIX,
            distribution=self.distribution,
            distribution_paths=["/*"],
            memory_limit=256,
        )
        # The copying function is a stack-level singleton: its role's scope is that function.
        singleton = deployment.handler_role.node.scope
        assert singleton is not None
        NagSuppressions.add_resource_suppressions(
            singleton,
            [
                {
                    "id": "AwsSolutions-L1",
                    "reason": "CDK's BucketDeployment singleton pins its own runtime with its bundled code.",
                },
                {
                    "id": "AwsSolutions-IAM4",
                    "reason": "CDK's BucketDeployment singleton writes its logs with AWSLambdaBasicExecutionRole.",
                    "appliesTo": [
                        "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
                    ],
                },
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "CDK's BucketDeployment grants: read the page asset from the CDK assets bucket, "
                    "write it into this construct's own site bucket, invalidate its distribution.",
                    "appliesTo": [
                        "Resource::*",
                        "Action::s3:GetBucket*",
                        "Action::s3:GetObject*",
                        "Action::s3:List*",
                        "Action::s3:Abort*",
                        "Action::s3:DeleteObject*",
                        "Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*",
                        {"regex": "/^Resource::<ViewerSite[0-9A-F]+\\.Arn>\\/\\*$/g"},
                    ],
                },
            ],
            apply_to_children=True,
        )

    # -- thumbnails ----------------------------------------------------------------------------------------
    def _build_thumbnail_function(self, *, storage: Storage) -> lambda_.DockerImageFunction:
        settings = self.settings
        self.dlq: sqs.IQueue = encrypted_queue(self, "ThumbnailsDlq", key=storage.key)
        logs = log_group(self, "ThumbnailLogs", settings=settings)
        self.thumbnail_role = function_role(self, "ThumbnailRole", logs_to=logs, description="Thumbnail step")
        NagSuppressions.add_resource_suppressions(
            self.dlq,
            [{"id": "AwsSolutions-SQS3", "reason": "This queue is the stream mapping's on-failure destination."}],
        )
        function = lambda_.DockerImageFunction(
            self,
            "Thumbnails",
            description="Thumbnail and filmstrip step after a job succeeds (PyAV + numpy)",
            code=lambda_.DockerImageCode.from_image_asset(
                str(REPO_ROOT),
                file=DOCKERFILE,
                cmd=["segments.handlers.thumbnails.handler"],
                platform=ecr_assets.Platform.LINUX_ARM64
                if settings.fallback_arm64
                else ecr_assets.Platform.LINUX_AMD64,
            ),
            architecture=lambda_.Architecture.ARM_64 if settings.fallback_arm64 else lambda_.Architecture.X86_64,
            memory_size=settings.fallback_memory_mb,
            timeout=Duration.minutes(settings.fallback_timeout_minutes),
            ephemeral_storage_size=Size.mebibytes(512),
            tracing=lambda_.Tracing.ACTIVE,
            log_group=logs,
            role=self.thumbnail_role,
            environment={
                **powertools_environment("segments-thumbnails"),
                **ThumbnailSettings(
                    table_name=storage.table.table_name, bucket_name=storage.bucket.bucket_name
                ).environment(),
            },
        )
        storage.bucket.grant_read(function)
        storage.bucket.grant_put(function, f"{THUMBNAIL_PREFIX}*")
        storage.grant_table_write(function)  # reads the job and its shots, notes the outcome on the video
        function.add_event_source(
            sources.DynamoEventSource(
                storage.table,
                starting_position=lambda_.StartingPosition.LATEST,
                batch_size=1,  # one job per invocation: each may take minutes
                retry_attempts=3,
                bisect_batch_on_error=True,
                report_batch_item_failures=True,
                on_failure=sources.SqsDlq(self.dlq),
                filters=[
                    lambda_.FilterCriteria.filter(
                        {
                            "eventName": lambda_.FilterRule.is_equal("MODIFY"),
                            "dynamodb": {
                                "Keys": {"sk": {"S": lambda_.FilterRule.is_equal("JOB")}},
                                "NewImage": {"status": {"S": lambda_.FilterRule.is_equal("SUCCEEDED")}},
                            },
                        }
                    )
                ],
            )
        )
        grants = iam5_grant_wildcards(
            "Wildcards are CDK grant forms scoped to this app's bucket (and its thumbnails prefix), table, "
            "stream and key."
        )
        grants["appliesTo"] = [
            *grants["appliesTo"],  # type: ignore[misc]
            {"regex": f"/^Resource::<StorageVideos[0-9A-F]+\\.Arn>\\/{THUMBNAIL_PREFIX.rstrip('/')}\\/\\*$/g"},
        ]
        NagSuppressions.add_resource_suppressions(self.thumbnail_role, [grants], apply_to_children=True)
        return function
