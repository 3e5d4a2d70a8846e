import { Field, ID, InputType, ObjectType } from "type-graphql";
import { PartnerRole } from "../../auth/roles";
import { MutationInput, MutationPayload } from "../../graphql/mutation";
import { PartnerUser } from "../partners/partner.entity";

@InputType()
export class PartnerUserFilter {
  @Field(() => PartnerRole, { nullable: true, description: "Users holding this role (stored roles)." })
  role?: PartnerRole | null;

  @Field(() => String, { nullable: true, description: "Case-insensitive substring of the email or the display name; `%`, `_` and `\\` match themselves." })
  search?: string | null;
}

@InputType()
export class PartnerUserRolesSetInput extends MutationInput {
  @Field(() => ID, { description: "A user of the caller's partner." })
  userId: string;

  @Field(() => [PartnerRole], { description: "The user's roles from now on, replacing the stored ones: at least one, each once." })
  roles: PartnerRole[];
}

@ObjectType({ simpleResolvers: true })
export class PartnerUserRolesSetPayload extends MutationPayload {
  @Field(() => PartnerUser, { nullable: true, description: "The user with its stored roles." })
  user: PartnerUser | null;
}
