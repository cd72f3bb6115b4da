"""Confirm a reserved booking."""

import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["BOOKING_TABLE"])


def handler(event, context):
    TABLE.update_item(
        Key={"id": event["id"]},
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": "CONFIRMED"},
    )
    return {**event, "status": "CONFIRMED"}
