from __future__ import annotations

from collections.abc import Iterator

from boundary.graph import queries
from boundary.model import Location
from boundary.rules import Rule, RuleContext, Violation


class SharedExecutionRole(Rule):
    """
    ## What it does
    Finds an IAM role that is the execution role of two or more compute
    resources (Lambda functions, Step Functions state machines), including a
    role outside the template named by ARN. A role trusted by several services
    but executed by one function, and services that act with a role
    (an AppSync data source, an EventBridge target), are not counted.
    A role outside the template is reported at the first function that names
    it, whether or not the template also attaches policies to it by name.

    ## Why is this bad?
    A role is the security boundary of the code that runs as it. When several
    functions share one role, each of them holds the union of what all of them
    need: a bug or an injected dependency in the smallest function can read and
    write everything the largest one can. Least privilege becomes impossible to
    reason about, and an audit cannot tell which function used which permission.

    ## Example
    ```yaml
    BookingRole:
      Type: AWS::IAM::Role
      # ...
    ConfirmBooking:
      Type: AWS::Serverless::Function
      Properties:
        Role: !GetAtt BookingRole.Arn
    CancelBooking:
      Type: AWS::Serverless::Function
      Properties:
        Role: !GetAtt BookingRole.Arn
    ```

    ## Use instead
    Give each function its own role. With SAM, leave `Role` out and list the
    function's own `Policies` (policy templates where they fit); SAM creates one
    role per function.
    ```yaml
    ConfirmBooking:
      Type: AWS::Serverless::Function
      Properties:
        Policies:
          - DynamoDBCrudPolicy:
              TableName: !Ref BookingTable
    ```

    ## References
    - AWS Well-Architected Serverless Lens, SEC2: "Use one IAM role per function"
    - https://docs.aws.amazon.com/wellarchitected/latest/serverless-applications-lens/identity-and-access-management.html
    - https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
    """

    def evaluate(self, ctx: RuleContext) -> Iterator[Violation]:
        limit = int(ctx.thresholds.get("max-compute-per-role", 1))
        for role, users in queries.execution_roles(ctx.graph).items():
            if len(users) > limit:
                names = ", ".join(ctx.label(user) for user in users)
                # A role outside the template is named where the functions name it.
                outside = bool(ctx.attrs(role).get("outside"))
                yield Violation(
                    node=users[0] if outside else role,
                    message=(
                        f"role {ctx.label(role)} is the execution role of {len(users)} compute resources: "
                        f"{names}; expected at most {limit}"
                    ),
                    related=users,
                    key=ctx.label(role),
                    location=None
                    if ctx.attrs(role).get("line") and not outside
                    else _first_use(ctx, users[0], role),
                )


def _first_use(ctx: RuleContext, compute: str, role: str) -> Location | None:
    """Where a role outside the template is named: the first function's `Role` property."""
    for _, target, data in ctx.graph.out_edges(compute, data=True):
        if target == role and data.get("kind") == "executes-as" and data.get("file"):
            return Location(
                file=str(data["file"]),
                line=int(data.get("line") or 0),
                column=int(data.get("column") or 0),
                address=data.get("address"),
            )
    return None
