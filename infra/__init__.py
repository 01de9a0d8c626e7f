"""CDK app: stacks compose constructs; constructs hold resource details."""
