line 0001 of a btkit sample file: nothing to see here.
line 0002 of a btkit sample file: nothing to see here.
line 0003 of a btkit sample file: nothin