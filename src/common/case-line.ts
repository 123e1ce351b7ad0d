/**
 * What a task line says of the family case it is about, whatever its procedure (a temporary-aid request's number is
 * its case number): which family, which village, which case. Read by each procedure's own module from its tables.
 */
export interface CaseLine {
  caseNumber: string;
  status: string;
  applicantName: string;
  /** Masked: region and the last four characters. */
  applicantIdNumber: string | null;
  villageCode: string;
  townshipCode: string;
  /** Living members. */
  householdSize: number;
}
