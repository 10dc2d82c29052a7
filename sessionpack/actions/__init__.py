"""Actions: the one path from what a person or a file asks to the events it records.

Between the command line and the domain sits this thin layer. An action
takes requests as typed (one from the command line, or many from the rows
of a CSV file), reads what it needs of the practice through ``Practice``
(client views, the catalog, the reference index), has the domain check
every rule and build every event, and returns a *plan*: the events to
commit, the rows to print, and every problem found, each with the line and
column (or option) it is about. It never commits and never prints: the
command commits the plan (or, with ``--dry-run``, does not) and renders it.

So ``sell``, ``assign``, ``sell --csv``, an imported balance and ``client
add`` (one client or a file of them) share one implementation, from the
check of each field to the event, and a new front end (a web form, say)
needs no copy of any rule:

- ``selling``: sales and imported balances (``plan_sales``);
- ``clients``: new clients (``plan_clients``);
- ``csvtable``: a CSV file read into rows, with line numbers, strictly;
- ``problems``: what is wrong, where, and how to fix it;
- ``practice``: the practice as an action reads it, inside a transaction.
"""
