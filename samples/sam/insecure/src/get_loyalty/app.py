"""Return a customer's loyalty points (GET /loyalty/{customerId})."""

import json
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["LOYALTY_TABLE"])


def handler(event, context):
    customer = event["pathParameters"]["customerId"]
    item = TABLE.get_item(Key={"customerId": customer}).get("Item", {"customerId": customer, "points": 0})
    return {"statusCode": 200, "body": json.dumps(item, default=str)}
