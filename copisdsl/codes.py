"""Every diagnostic code: what triggers it, an example, how to fix it.

This table is the single source of ``docs/diagnostics.md`` (regenerate with
``python -m copisdsl.codes > docs/diagnostics.md``; a test keeps the two
equal) and is checked against the codes the checks can report.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeInfo:
    code: str
    severity: str
    title: str
    when: str
    example: str
    fix: str


CODES: tuple[CodeInfo, ...] = (
    CodeInfo("E100", "error", "Syntax error",
             "The text is not valid `.copis`: an unexpected character or token, an unterminated "
             "string, a missing `}`, a string escape other than `\\\"`, `\\\\`, `\\n`, a file that is "
             "not UTF-8, or a statement written where it is not allowed (`channel` in a stage, "
             "`flow` in a touchpoint). Also an expression or condition nested more than 200 "
             "levels deep (operators, parentheses, signs and calls) and blocks nested more than "
             "100 deep: no journey needs them, and deeper they would exhaust the stack of the "
             "tools that walk them. The message says what was expected; for a missing `}` it "
             "names the block and where it was opened. After an E100 only further E100s are "
             "reported for the file (the parser recovers line by line to find several).",
             'journey j "J" {\n  stage s "S" {\n    channel web\n  }\n}',
             "Follow the message: add the missing token, close the string or block, or move the "
             "statement to where the message says it belongs."),
    CodeInfo("E200", "error", "Duplicate identifier",
             "Two declarations of one kind share an ID: stages and touchpoints (one namespace for "
             "both, across the journey), personas, segments, data sources, or KPIs of one scope. "
             "Also a statement that may appear once given twice (`channel`, `emotion`, `owner`, "
             "`clv`, `framework`), an element key listed twice in a custom framework, or a custom "
             "framework that reuses a built-in name. Reported at the later declaration.",
             'journey j "J" {\n  persona p "Ann"\n  persona p "Bob"\n}',
             "Rename one of the two, or remove the repeated statement."),
    CodeInfo("E201", "error", "Unknown reference",
             "A name that refers to nothing: a flow endpoint, a persona in the customer element, "
             "a bare identifier in another element, a segment in a persona, a data source, a KPI, "
             "a function or a customer variable in an expression; or a stage with no touchpoints "
             "used in a flow. The hint names the closest existing name.",
             'journey j "J" {\n  stage s "S" { touchpoint checkout "Checkout" {} }\n'
             '  flow checkout -> chekout\n}',
             "Fix the spelling, declare what is referenced, or quote text meant literally."),
    CodeInfo("E202", "error", "Unknown framework",
             "`framework NAME` names none of `service`, `system`, `advocacy`, `sipoc`. The file "
             "is then checked against `service`.",
             'journey j "J" {\n  framework sevice\n}',
             "Use a built-in name, or define the framework: `framework mine { KEY \"Label\" ... }`."),
    CodeInfo("E203", "error", "Element not in the framework",
             "An element statement whose key is not an element of the journey's framework "
             "(`supplier` under `service`), a misspelt statement keyword (`chanel web`), or a "
             "custom framework key that is a reserved statement keyword.",
             'journey j "J" {\n  stage s "S" {\n    touchpoint t "T" { chanel web }\n  }\n}',
             "Use a key of the framework (the hint lists them with the statement keywords), or "
             "change the framework."),
    CodeInfo("E204", "error", "Invalid value",
             "A value outside what it means: emotion outside 1..5, a rate outside 0..100% "
             "(targets and baselines of rate KPIs; margin and discount), a percent target on a "
             "KPI measured in points (NPS), a date that does not exist, a negative or zero "
             "duration, an unknown data kind, CLV model or unit, a CLV `interval` outside "
             "0..100% (exclusive), `holdout` or `interval` with the historic CLV, a column without "
             "an aggregate, or a function given the wrong arguments.",
             'journey j "J" {\n  clv { margin 135% }\n}',
             "Write the value in the range and unit the message names: rates as `4%` or `0.04`, "
             "NPS in points, dates as YYYY-MM-DD."),
    CodeInfo("E205", "error", "Not exactly one journey",
             "The file holds no `journey`, or more than one.",
             'journey a "A" {}\njourney b "B" {}',
             "Put one journey in each file."),
    CodeInfo("E210", "error", "KPI dependency cycle",
             "KPI definitions that depend on each other in a cycle (`a = b + 1`, `b = a`): none "
             "of them can have a value.",
             'journey j "J" {\n  kpi a = b + 1\n  kpi b = a\n}',
             "Compute one KPI of the cycle from data or a number."),
    CodeInfo("W300", "warning", "Missing framework elements",
             "A touchpoint lacks one or more elements of the framework after the journey's and "
             "the stage's defaults are applied. One warning per touchpoint names every missing "
             "element.",
             'journey j "J" {\n  stage s "S" {\n    touchpoint t "T" { process "Pay" }\n  }\n}',
             "Add the missing elements to the touchpoint, or give defaults at the stage or "
             "journey level."),
    CodeInfo("E301", "error", "Conflicting objectives",
             "Two objectives anywhere in the journey pull one metric in opposite directions "
             "(increase against decrease, maintain against either), or push both metrics of a "
             "`tradeoff` the same way (increase both, or decrease both). Reported at the later "
             "objective, naming the other's location.",
             'journey j "J" {\n  objective "Faster" increase conversion\n'
             '  objective "Fewer impulse buys" decrease conversion\n  kpi conversion = 3%\n}',
             "Settle on one direction for the metric, or drop one objective."),
    CodeInfo("W302", "warning", "Inconsistent targets",
             "Objectives move one metric the same way to different `to` values.",
             'journey j "J" {\n  kpi nps = 40\n  objective "A" increase nps to 50\n'
             '  objective "B" increase nps to 60\n}',
             "Use one target for the metric."),
    CodeInfo("W303", "warning", "Unmeasured moment of truth",
             "A touchpoint marked `moment_of_truth` has no KPI of its own.",
             'journey j "J" {\n  stage s "S" {\n    touchpoint t "T" { moment_of_truth }\n  }\n}',
             "Add a `kpi` to the touchpoint to measure the moment."),
    CodeInfo("W304", "warning", "Objective metric without a KPI",
             "An objective's metric is not the name of any KPI in the journey, so it cannot be "
             "measured.",
             'journey j "J" {\n  objective "Lift" increase conversion to 4%\n}',
             "Add `kpi METRIC = ...`, or fix the metric's name."),
    CodeInfo("W305", "warning", "Empty stage",
             "A stage with no touchpoints.",
             'journey j "J" {\n  stage s "Nothing yet" {}\n}',
             "Add touchpoints to the stage, or remove it."),
    CodeInfo("W306", "warning", "Touchpoint outside the flow",
             "In a journey that has `flow` statements, a touchpoint that no flow reaches or "
             "leaves.",
             'journey j "J" {\n  stage s "S" {\n    touchpoint a "A" {}\n    touchpoint b "B" {}\n'
             '    touchpoint c "C" {}\n  }\n  flow a -> b\n}',
             "Connect it with a flow, or remove it."),
    CodeInfo("W307", "warning", "Frontstage with nothing behind it",
             "In a journey that uses blueprint lanes (`evidence`, `frontstage`, `backstage` or "
             "`support` anywhere), a touchpoint with `frontstage` actions but neither `backstage` "
             "nor `support` (after the stage's and the journey's `support` defaults).",
             'journey j "J" {\n  stage s "S" {\n    touchpoint t "T" { frontstage "Agent greets" }\n  }\n}',
             "Add `backstage \"...\"` for what the customer does not see, or `support \"...\"` to "
             "the touchpoint, its stage or the journey."),
    CodeInfo("W308", "warning", "Unmeasured fail point",
             "A touchpoint marked `fail_point` has no KPI of its own.",
             'journey j "J" {\n  stage s "S" {\n    touchpoint t "T" { fail_point "Parcel late" }\n  }\n}',
             "Add a `kpi` to the touchpoint, to see when the service fails there."),
    CodeInfo("W309", "warning", "Suppression that does nothing",
             "A `# copis: ignore[CODE]` or `# copis: ignore-file[CODE]` comment that suppressed "
             "nothing (no diagnostic with that code starts on its line, or in the file), that "
             "names an unknown code, that names an error code (errors cannot be suppressed), or "
             "that is not written as `# copis: ignore[W300, W306]`; an `ignore-file` that is not "
             "on a line of its own before `journey`. Reported at the comment (at the code it "
             "names, when it names one).",
             'journey j "J" {  # copis: ignore[W305]\n}',
             "Remove the suppression or the codes it no longer needs, or fix the code's name. "
             "Errors must be fixed, not suppressed."),
    CodeInfo("W310", "warning", "Bidirectional control in a string",
             "A string holds a bidirectional control character (U+202A to U+202E, U+2066 to "
             "U+2069), which makes text display in another order than it is stored: a reviewer "
             "reads something other than what the file says. Reports and pictures show each as "
             "a visible mark such as `[U+202E]`; the terminal shows it escaped (`\\u202e`).",
             'journey j "J" {\n  owner "Ana \u202eevil"\n}',
             "Remove the character."),
    CodeInfo("E400", "error", "Data file problem",
             "A linked data file is missing, unreadable, of an unsupported format, or resolves "
             "outside the journey's root folder.",
             'journey j "J" {\n  data orders "missing.csv"\n}',
             "Fix the path (relative to the .copis file, inside its root), or convert the file "
             "to CSV, TSV, Parquet, JSON Lines or Excel."),
    CodeInfo("E401", "error", "Unknown column",
             "A column that the data file does not have (in an expression, a `where` filter, or a "
             "`customer`/`date`/`amount` mapping). The hint names the closest column.",
             'journey j "J" {\n  data survey "survey.csv"\n  kpi nps = nps(survey.scroe)\n}',
             "Use the column's name as it is in the file's header."),
    CodeInfo("E402", "error", "Column of the wrong type",
             "A column used as numbers holds text, or a date column holds values that are not "
             "dates; the message names the first row and value that could not be read. Also a "
             "column holding bytes that are not text (a binary Parquet column, a field that is not "
             "UTF-8) and an Excel column holding a formula whose value the workbook never saved.",
             'journey j "J" {\n  data survey "survey.csv"\n  kpi avg = mean(survey.comment)\n}',
             "Point at the right column, or clean the data."),
    CodeInfo("W403", "warning", "Empty selection",
             "A `where` filter selects no rows, or the column an aggregate reads has no value in "
             "any selected row, or a `kind transactions` source has rows but no order (no row has "
             "a customer, a date and an amount), so the KPI has no value.",
             'kpi nps = nps(survey.score where stage == "purchse")',
             "Check the filter's values against the data."),
    CodeInfo("E404", "error", "Transactions needed",
             "A segment with a `when` condition, a `clv(...)` call or another transaction "
             "function (aov, repeat_rate, churn_rate ...) used without a data source of `kind "
             "transactions`; or a KPI `by segment` in a journey without segments or without "
             "transactions (reported at `by segment`).",
             'journey j "J" {\n  data survey "survey.csv"\n  kpi repeat = repeat_rate(survey)\n}',
             "Declare the order history: `data orders \"orders.csv\" { kind transactions }`, and "
             "pass its ID."),
    CodeInfo("W405", "warning", "Rows that are not orders",
             "Rows of a `kind transactions` source whose amount is zero or negative (a refund, an "
             "adjustment, a free order) are not orders: they count in no order count, `aov`, "
             "`repeat_rate`, `purchase_frequency`, `reorder_interval`, churn or retention, nor in "
             "the frequency, recency, tenure or spend of the CLV models. `revenue(...)` and the "
             "segment variable `revenue` are net of them. Reported once at the `data` declaration "
             "with the number of rows set aside.",
             'journey j "J" {\n  data orders "orders.csv" { kind transactions }\n'
             '  kpi aov = aov(orders)\n}',
             "Nothing to fix when the rows are refunds; otherwise correct the amounts."),
    CodeInfo("W406", "warning", "CLV fit at a limit",
             "A CLV model fit that did not converge, or whose estimate lies at the edge of the "
             "parameter space (a limiting case of the model). Reported at the `clv { }` block, or "
             "at the first `clv(...)` call without one; the message names the parameter and what "
             "it means for the figures (`a → 0: customers almost never drop out`).",
             'journey j "J" {\n  data orders "orders.csv" { kind transactions }\n'
             '  clv { model bgnbd }\n  kpi clv = clv(orders)\n}',
             "Read the figures as that limiting case; more customers or a longer order history "
             "may give a fit inside the parameter space."),
    CodeInfo("W407", "warning", "Unknown touchpoint in an event log",
             "Rows of the journey's event log (`kind events`) whose touchpoint column holds a value "
             "that is no touchpoint ID of the journey, or nothing. Those rows count for nothing: "
             "not in reach, not in the customers of the log, not as a customer's next event. "
             "Reported at the `data` declaration once per value, with its number of rows and the "
             "closest touchpoint ID (for the 100 most frequent values; one more W407 says when "
             "there are more).",
             'journey j "J" {\n  data visits "events.csv" { kind events }\n'
             '  stage s "S" { touchpoint checkout "Checkout" {} }\n}',
             "Correct the value in the data, or declare the touchpoint it stands for."),
)

BY_CODE = {c.code: c for c in CODES}


def markdown() -> str:
    """The text of docs/diagnostics.md."""
    out = [
        "# Diagnostic codes",
        "",
        "Every problem `copis check` finds is a diagnostic with a stable code, a severity, a",
        "message, a position (`file:line:column`, 1-based; `end_column` is exclusive) and, where",
        "useful, a hint. Codes never change meaning. `--strict` makes warnings fail the exit",
        "code too. This page is generated from `copisdsl/codes.py`.",
        "",
        "| code | severity | what |",
        "|---|---|---|",
    ]
    out += [f"| [{c.code}](#{c.code.lower()}) | {c.severity} | {c.title} |" for c in CODES]
    for c in CODES:
        out += ["", f"## {c.code}", "", f"**{c.title}** ({c.severity})", "", c.when, "",
                "```copis", c.example, "```", "", f"Fix: {c.fix}"]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(markdown())
